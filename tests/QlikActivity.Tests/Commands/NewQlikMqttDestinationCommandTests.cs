using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Security;
using QlikActivity.Commands;
using QlikActivity.Core.Destinations.Mqtt;
using Xunit;

namespace QlikActivity.Tests.Commands
{
    /// <summary>
    /// New-QlikMqttDestination's metadata, read by reflection (no PowerShell runtime here). The
    /// stand-in System.Management.Automation has stub bodies, so attribute values are read from
    /// their metadata (CustomAttributeData), not from instances.
    /// </summary>
    public class NewQlikMqttDestinationCommandTests
    {
        private static readonly Type Command = typeof(NewQlikMqttDestinationCommand);

        private static PropertyInfo Parameter(string name) =>
            Command.GetProperty(name) ?? throw new InvalidOperationException($"no parameter {name}");

        private static CustomAttributeData? Attribute<T>(string parameter) where T : Attribute =>
            Parameter(parameter).GetCustomAttributesData().SingleOrDefault(a => a.AttributeType == typeof(T));

        private static CustomAttributeData ClassAttribute<T>() where T : Attribute =>
            Command.GetCustomAttributesData().Single(a => a.AttributeType == typeof(T));

        private static object? Named(CustomAttributeData attribute, string name) =>
            attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

        private static object?[] Arguments(CustomAttributeData attribute) =>
            attribute.ConstructorArguments.SelectMany(a => a.Value is System.Collections.ObjectModel.ReadOnlyCollection<CustomAttributeTypedArgument> many
                ? many.Select(m => m.Value) : new[] { a.Value }).ToArray();

        [Fact]
        public void Is_New_QlikMqttDestination_and_outputs_MqttDestination()
        {
            var cmdlet = ClassAttribute<CmdletAttribute>();
            Assert.Equal(new object?[] { "New", "QlikMqttDestination" }, Arguments(cmdlet));
            Assert.Null(Named(cmdlet, "SupportsShouldProcess")); // only builds an object; -Test reads, changes nothing
            Assert.Equal(new object?[] { typeof(MqttDestination) }, Arguments(ClassAttribute<OutputTypeAttribute>()));
            Assert.True(typeof(QlikCmdlet).IsAssignableFrom(Command));
        }

        [Fact]
        public void Broker_is_mandatory_and_first()
        {
            var p = Attribute<ParameterAttribute>("Broker")!;
            Assert.Equal(true, Named(p, "Mandatory"));
            Assert.Equal(0, Named(p, "Position"));
            Assert.NotNull(Attribute<ValidateNotNullOrEmptyAttribute>("Broker"));
            Assert.Contains("Server", Arguments(Attribute<AliasAttribute>("Broker")!));
        }

        [Fact]
        public void Validation_attributes_bound_the_numbers_and_the_qos()
        {
            Assert.Equal(new object?[] { 1, 65535 }, Arguments(Attribute<ValidateRangeAttribute>("Port")!));
            Assert.Equal(new object?[] { "0", "1" }, Arguments(Attribute<ValidateSetAttribute>("QoS")!));
            Assert.Equal(new object?[] { 1, 10_000_000 }, Arguments(Attribute<ValidateRangeAttribute>("QueueCapacity")!));
            Assert.Equal(new object?[] { 0, 65535 }, Arguments(Attribute<ValidateRangeAttribute>("KeepAliveSeconds")!));
        }

        [Theory]
        [InlineData("Topic")]
        [InlineData("SessionStartTopic")]
        [InlineData("SessionStopTopic")]
        [InlineData("ConnectionOpenTopic")]
        [InlineData("ConnectionCloseTopic")]
        public void Topics_accept_an_empty_string_to_turn_them_off(string name)
        {
            // PowerShell rejects an empty string only for a mandatory parameter (that is all
            // [AllowEmptyString] lifts, and CmdletRules flags it as a no-op elsewhere), or when
            // [ValidateNotNullOrEmpty] is present: an optional topic without it takes ''.
            var parameter = Attribute<ParameterAttribute>(name)!;
            Assert.DoesNotContain(parameter.NamedArguments, a => a.MemberName == nameof(ParameterAttribute.Mandatory) && Equals(a.TypedValue.Value, true));
            Assert.Null(Attribute<ValidateNotNullOrEmptyAttribute>(name));
            Assert.NotNull(Attribute<ValidateNotNullAttribute>(name));
        }

        [Fact]
        public void The_secret_comes_only_as_a_PSCredential_and_the_output_never_shows_it()
        {
            Assert.Equal(typeof(PSCredential), Parameter("Credential").PropertyType);
            Assert.NotNull(Attribute<CredentialAttribute>("Credential"));
            // The broker's password only in the PSCredential; the one other secret, a PFX client
            // certificate's password, only as a SecureString (as Connect-QlikSense takes it).
            var passwords = Command.GetProperties().Where(p => p.Name.Contains("Password", StringComparison.OrdinalIgnoreCase)).ToList();
            var certificatePassword = Assert.Single(passwords);
            Assert.Equal("CertificatePassword", certificatePassword.Name);
            Assert.Equal(typeof(SecureString), certificatePassword.PropertyType);

            var shown = typeof(MqttDestination).GetProperties(BindingFlags.Public | BindingFlags.Instance);
            Assert.DoesNotContain(shown, p => p.Name.Contains("Password", StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(shown, p => p.PropertyType == typeof(SecureString));
            Assert.Equal("QlikActivity.Core.Destinations.Mqtt.MqttDestination", typeof(MqttDestination).FullName);
        }

        [Fact]
        public void Has_a_help_page_with_examples_and_every_parameter()
        {
            string page = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "en-US", "New-QlikMqttDestination.md"));
            Assert.Contains("external help file: QlikActivity.dll-Help.xml", page);
            Assert.Contains("### Example 2", page);
            Assert.Contains("```powershell", page);
            foreach (var p in Command.GetProperties().Where(p => p.GetCustomAttributesData().Any(a => a.AttributeType == typeof(ParameterAttribute))))
            {
                Assert.Contains("### -" + p.Name + "\n", page.Replace("\r\n", "\n"));
            }
        }

        private static string RepoRoot()
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir != null && !File.Exists(Path.Combine(dir.FullName, "QlikActivity.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new DirectoryNotFoundException("QlikActivity.sln not found above the test folder.");
        }
    }
}
