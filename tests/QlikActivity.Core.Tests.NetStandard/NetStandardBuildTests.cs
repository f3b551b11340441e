using System.Reflection;
using System.Runtime.Versioning;
using Xunit;

namespace QlikActivity.Core.Tests.NetStandard
{
    /// <summary>Proves this project really runs Core's netstandard2.0 build (not net8.0).</summary>
    public class NetStandardBuildTests
    {
        [Fact]
        public void Core_under_test_is_the_netstandard2_0_build()
        {
            var framework = typeof(IOperationHost).Assembly.GetCustomAttribute<TargetFrameworkAttribute>();
            Assert.Equal(".NETStandard,Version=v2.0", framework!.FrameworkName);
        }
    }
}
