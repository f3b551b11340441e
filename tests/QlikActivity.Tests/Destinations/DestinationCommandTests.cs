using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Security;
using QlikActivity.Commands;
using QlikActivity.Core;
using QlikActivity.Core.Destinations.InfluxDb;
using QlikActivity.Core.Destinations.NewRelic;
using QlikActivity.Core.Destinations.Webhooks;
using Xunit;

namespace QlikActivity.Tests.Destinations
{
    /// <summary>
    /// The destination cmdlets' metadata, read by reflection (no PowerShell runtime is available here). The
    /// attributes are read as CustomAttributeData: PowerShellStandard.Library is a reference assembly whose
    /// attribute getters do not run.
    /// </summary>
    public class DestinationCommandTests
    {
        public static readonly TheoryData<Type, Type> Commands = new()
        {
            { typeof(NewQlikInfluxDbDestinationCommand), typeof(InfluxDbDestination) },
            { typeof(NewQlikNewRelicDestinationCommand), typeof(NewRelicDestination) },
            { typeof(NewQlikWebhookDestinationCommand), typeof(WebhookDestination) },
        };

        private static CustomAttributeData[] All<T>(MemberInfo member) =>
            member.GetCustomAttributesData().Where(a => a.AttributeType == typeof(T)).ToArray();

        private static CustomAttributeData One<T>(MemberInfo member) => Assert.Single(All<T>(member));

        private static object? Named(CustomAttributeData attribute, string name) =>
            attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

        private static CustomAttributeData Parameter(Type command, string name) => One<ParameterAttribute>(command.GetProperty(name)!);

        private static (string Verb, string Noun) CmdletName(Type command)
        {
            var cmdlet = One<CmdletAttribute>(command);
            return ((string)cmdlet.ConstructorArguments[0].Value!, (string)cmdlet.ConstructorArguments[1].Value!);
        }

        [Theory]
        [MemberData(nameof(Commands))]
        public void Each_is_a_New_cmdlet_declaring_its_destination_type(Type command, Type output)
        {
            var (verb, noun) = CmdletName(command);
            Assert.Equal("New", verb);
            Assert.StartsWith("Qlik", noun);
            Assert.Equal("New" + noun + "Command", command.Name);
            Assert.True(typeof(QlikCmdlet).IsAssignableFrom(command));
            var declared = All<OutputTypeAttribute>(command)
                .SelectMany(o => (System.Collections.ObjectModel.ReadOnlyCollection<CustomAttributeTypedArgument>)o.ConstructorArguments[0].Value!)
                .Select(t => (Type)t.Value!)
                .ToArray();
            Assert.Equal(new[] { output }, declared);
            Assert.StartsWith("QlikActivity.Core.Destinations.", output.Namespace);
        }

        [Theory]
        [InlineData(typeof(NewQlikInfluxDbDestinationCommand), "Token")]
        [InlineData(typeof(NewQlikNewRelicDestinationCommand), "InsertKey")]
        [InlineData(typeof(NewQlikNewRelicDestinationCommand), "ScrambleSalt")]
        [InlineData(typeof(NewQlikWebhookDestinationCommand), "Uri")]
        public void Secrets_are_taken_as_SecureString(Type command, string parameter)
        {
            Assert.Equal(typeof(SecureString), command.GetProperty(parameter)!.PropertyType);
        }

        [Fact]
        public void InfluxDb_has_a_v1_set_with_a_credential_and_a_v2_set_with_a_token()
        {
            var type = typeof(NewQlikInfluxDbDestinationCommand);
            Assert.Equal("V1", Named(One<CmdletAttribute>(type), "DefaultParameterSetName"));
            Assert.Equal(typeof(PSCredential), type.GetProperty("Credential")!.PropertyType);
            One<CredentialAttribute>(type.GetProperty("Credential")!);
            Assert.Equal(true, Named(Parameter(type, "Database"), "Mandatory"));
            Assert.Equal("V1", Named(Parameter(type, "Database"), "ParameterSetName"));
            Assert.Equal("V1", Named(Parameter(type, "Credential"), "ParameterSetName"));
            foreach (var v2 in new[] { "Organization", "Bucket", "Token" })
            {
                Assert.Equal(true, Named(Parameter(type, v2), "Mandatory"));
                Assert.Equal("V2", Named(Parameter(type, v2), "ParameterSetName"));
            }

            Assert.Equal(true, Named(Parameter(type, "Uri"), "Mandatory"));
            Assert.Equal(0, Named(Parameter(type, "Uri"), "Position"));
            Assert.Null(Named(Parameter(type, "Uri"), "ParameterSetName"));
        }

        [Theory]
        [InlineData(typeof(NewQlikInfluxDbDestinationCommand), "BatchSize", 1, 100_000)]
        [InlineData(typeof(NewQlikNewRelicDestinationCommand), "BatchSize", 1, 2000)]
        [InlineData(typeof(NewQlikWebhookDestinationCommand), "BatchSize", 1, 10_000)]
        [InlineData(typeof(NewQlikWebhookDestinationCommand), "MaxAttempts", 1, 100)]
        [InlineData(typeof(NewQlikInfluxDbDestinationCommand), "TimeoutSec", 1, 3600)]
        public void Sizes_and_times_are_range_checked(Type command, string parameter, int min, int max)
        {
            var range = One<ValidateRangeAttribute>(command.GetProperty(parameter)!);
            Assert.Equal(min, Convert.ToInt32(range.ConstructorArguments[0].Value));
            Assert.Equal(max, Convert.ToInt32(range.ConstructorArguments[1].Value));
        }

        [Fact]
        public void Enumerations_give_tab_completion_for_region_format_and_event_type()
        {
            Assert.Equal(typeof(NewRelicRegion), typeof(NewQlikNewRelicDestinationCommand).GetProperty("Region")!.PropertyType);
            Assert.Equal(typeof(WebhookFormat), typeof(NewQlikWebhookDestinationCommand).GetProperty("Format")!.PropertyType);
            Assert.Equal(typeof(UserEventType[]), typeof(NewQlikWebhookDestinationCommand).GetProperty("EventType")!.PropertyType);
            Assert.Equal(typeof(Hashtable), typeof(NewQlikWebhookDestinationCommand).GetProperty("Header")!.PropertyType);
        }

        [Theory]
        [MemberData(nameof(Commands))]
        public void Each_has_a_platyps_help_page_with_examples_and_every_parameter(Type command, Type output)
        {
            var (verb, noun) = CmdletName(command);
            string name = verb + "-" + noun;
            string page = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "en-US", name + ".md"));
            Assert.Contains("external help file: QlikActivity.dll-Help.xml", page);
            Assert.Contains("# " + name + "\n", page.Replace("\r\n", "\n"));
            foreach (var section in new[] { "## SYNOPSIS", "## SYNTAX", "## DESCRIPTION", "## EXAMPLES", "## PARAMETERS", "## INPUTS", "## OUTPUTS", "## NOTES" })
            {
                Assert.Contains(section, page);
            }

            Assert.True(page.Split("### Example ").Length - 1 >= 2, "at least two examples");
            Assert.Contains("```powershell", page);
            Assert.Contains(output.FullName!, page);
            foreach (var property in command.GetProperties().Where(p => All<ParameterAttribute>(p).Length > 0))
            {
                Assert.Contains("### -" + property.Name + "\n", page.Replace("\r\n", "\n"));
            }
        }

        private static string RepoRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "QlikActivity.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("QlikActivity.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
