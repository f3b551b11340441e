using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using QlikActivity.Completion;
using QlikActivity.Tests.Module;
using Xunit;

namespace QlikActivity.Tests.Completion
{
    /// <summary>Tab completion is attached where an admin types a name the repository or the module knows.</summary>
    public class CompleterAttachmentTests
    {
        public static IEnumerable<object[]> Attachments() => new[]
        {
            new object[] { "Get-QlikUserActivity", "UserDirectory", typeof(UserDirectoryCompleter) },
            new object[] { "Get-QlikUserActivity", "Bucket", typeof(BucketPresetCompleter) },
            new object[] { "Get-QlikUserActivity", "LicenseType", typeof(LicenseTypeCompleter) },
            new object[] { "Set-QlikActivityBucket", "UserDirectory", typeof(UserDirectoryCompleter) },
            new object[] { "Set-QlikActivityBucket", "Name", typeof(CustomPropertyNameCompleter) },
            new object[] { "Set-QlikActivityBucket", "Bucket", typeof(BucketPresetCompleter) },
            new object[] { "Set-QlikActivityBucket", "LicenseType", typeof(LicenseTypeCompleter) },
            new object[] { "Start-QlikEventListener", "EventType", typeof(EventTypeCompleter) },
            new object[] { "Send-QlikUserEvent", "EventType", typeof(EventTypeCompleter) },
            new object[] { "Get-QlikUserEvent", "EventType", typeof(EventTypeCompleter) },
            new object[] { "Get-QlikUserEvent", "UserDirectory", typeof(JournalUserDirectoryCompleter) },
            new object[] { "Get-QlikUserEvent", "UserId", typeof(JournalUserIdCompleter) },
            new object[] { "Get-QlikUserSession", "UserDirectory", typeof(JournalUserDirectoryCompleter) },
            new object[] { "Get-QlikUserSession", "UserId", typeof(JournalUserIdCompleter) },
        };

        [Theory]
        [MemberData(nameof(Attachments))]
        public void Parameter_has_its_completer(string cmdlet, string parameter, Type completer)
        {
            var p = ModuleCmdletTests.Find(cmdlet).Parameters.SingleOrDefault(x => x.Name == parameter);
            Assert.True(p != null, $"{cmdlet} has no -{parameter}.");
            var attached = p!.Of<ArgumentCompleterAttribute>()
                .Select(a => a.ConstructorArguments.Select(c => c.Value).OfType<Type>().FirstOrDefault())
                .ToList();
            Assert.True(attached.Contains(completer), $"{cmdlet} -{parameter} needs [ArgumentCompleter(typeof({completer.Name}))].");
        }

        [Fact]
        public void Completers_are_public_with_a_parameterless_constructor()
        {
            // PowerShell creates the completer itself when Tab is pressed.
            foreach (var type in typeof(ValueListCompleter).Assembly.GetTypes().Where(t => typeof(IArgumentCompleter).IsAssignableFrom(t) && !t.IsAbstract))
            {
                Assert.True(type.IsPublic, type.Name);
                Assert.NotNull(type.GetConstructor(Type.EmptyTypes));
            }
        }
    }
}
