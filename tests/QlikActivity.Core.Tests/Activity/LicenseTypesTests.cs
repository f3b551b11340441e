using System;
using QlikActivity.Core.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Activity
{
    public class LicenseTypesTests
    {
        [Theory]
        [InlineData(LicenseType.Professional, "license/professionalaccesstype/full", "lastUsed")]
        [InlineData(LicenseType.Analyzer, "license/analyzeraccesstype/full", "lastUsed")]
        [InlineData(LicenseType.User, "license/useraccesstype/full", "lastUsed")]
        [InlineData(LicenseType.Login, "license/loginaccessusage/full", "latestActivity")]
        [InlineData(LicenseType.AnalyzerTime, "license/analyzertimeaccessusage/full", "latestActivity")]
        public void Each_type_reads_its_endpoint_and_date_field(LicenseType type, string endpoint, string field)
        {
            Assert.Equal(endpoint, LicenseTypes.Endpoint(type));
            Assert.Equal(field, LicenseTypes.DateField(type));
            Assert.Equal(endpoint.Substring(0, endpoint.Length - 5), LicenseTypes.CountType(type));
        }

        [Fact]
        public void All_five_types_are_read_by_default()
        {
            Assert.Equal(new[] { LicenseType.Professional, LicenseType.Analyzer, LicenseType.User, LicenseType.Login, LicenseType.AnalyzerTime }, LicenseTypes.All);
        }

        [Fact]
        public void An_unknown_type_is_refused()
        {
            Assert.Equal("type", Assert.Throws<ArgumentOutOfRangeException>(() => LicenseTypes.Endpoint((LicenseType)99)).ParamName);
        }
    }
}
