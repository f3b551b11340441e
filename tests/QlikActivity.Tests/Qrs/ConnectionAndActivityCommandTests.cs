using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Security;
using QlikActivity.Commands;
using QlikActivity.Core;
using Xunit;

namespace QlikActivity.Tests.Qrs
{
    /// <summary>
    /// The parameter contracts of Connect-QlikSense, Disconnect-QlikSense and Get-QlikUserActivity,
    /// read from attribute metadata (the stand-in SMA's attribute classes have no behaviour).
    /// </summary>
    public class ConnectionAndActivityCommandTests
    {
        [Fact]
        public void Connect_has_one_parameter_set_per_way_to_authenticate_with_pem_the_default()
        {
            var cmdlet = Attribute<CmdletAttribute>(typeof(ConnectQlikSenseCommand)).Single();
            Assert.Equal(new object[] { "Connect", "QlikSense" }, cmdlet.ConstructorArguments.Select(a => a.Value));
            Assert.Equal("Pem", Named(cmdlet, "DefaultParameterSetName"));

            var sets = typeof(ConnectQlikSenseCommand).GetProperties()
                .SelectMany(p => Attribute<ParameterAttribute>(p))
                .Select(a => Named(a, "ParameterSetName") as string)
                .Where(s => s != null)
                .Distinct()
                .OrderBy(s => s);
            Assert.Equal(new[] { "Certificate", "Jwt", "Pem", "Pfx", "Thumbprint" }, sets);

            Assert.True(Mandatory(typeof(ConnectQlikSenseCommand), "PfxPath", "Pfx"));
            Assert.True(Mandatory(typeof(ConnectQlikSenseCommand), "Thumbprint", "Thumbprint"));
            Assert.True(Mandatory(typeof(ConnectQlikSenseCommand), "Jwt", "Jwt"));
            Assert.True(Mandatory(typeof(ConnectQlikSenseCommand), "Certificate", "Certificate"));
            Assert.False(Mandatory(typeof(ConnectQlikSenseCommand), "CertificatePath", "Pem"));
        }

        [Fact]
        public void Connect_takes_the_server_first_and_returns_a_connection()
        {
            var server = Attribute<ParameterAttribute>(typeof(ConnectQlikSenseCommand).GetProperty("Server")!).Single();
            Assert.Equal(true, Named(server, "Mandatory"));
            Assert.Equal(0, Named(server, "Position"));
            Assert.Equal(new[] { typeof(QlikSenseConnection) }, OutputTypes(typeof(ConnectQlikSenseCommand)));
        }

        [Fact]
        public void Secrets_are_secure_strings()
        {
            Assert.Equal(typeof(SecureString), typeof(ConnectQlikSenseCommand).GetProperty("Jwt")!.PropertyType);
            Assert.Equal(typeof(SecureString), typeof(ConnectQlikSenseCommand).GetProperty("CertificatePassword")!.PropertyType);
        }

        [Fact]
        public void User_identity_parameters_belong_to_the_certificate_sets_only()
        {
            foreach (var name in new[] { "UserId", "UserDirectory" })
            {
                var sets = Attribute<ParameterAttribute>(typeof(ConnectQlikSenseCommand).GetProperty(name)!)
                    .Select(a => (string)Named(a, "ParameterSetName")!)
                    .OrderBy(s => s);
                Assert.Equal(new[] { "Certificate", "Pem", "Pfx", "Thumbprint" }, sets);
            }
        }

        [Theory]
        [InlineData("Port", 1, 65535)]
        [InlineData("TimeoutSec", 1, 3600)]
        [InlineData("MaximumRetryCount", 0, 10)]
        public void Ranges_are_validated(string parameter, int min, int max)
        {
            var range = Attribute<ValidateRangeAttribute>(typeof(ConnectQlikSenseCommand).GetProperty(parameter)!).Single();
            Assert.Equal(new object[] { min, max }, range.ConstructorArguments.Select(a => a.Value));
        }

        [Fact]
        public void Disconnect_takes_a_connection_from_the_pipeline()
        {
            var connection = Attribute<ParameterAttribute>(typeof(DisconnectQlikSenseCommand).GetProperty("Connection")!).Single();
            Assert.Equal(true, Named(connection, "ValueFromPipeline"));
            Assert.Null(Named(connection, "Mandatory"));
            Assert.Equal(new object[] { "Disconnect", "QlikSense" }, Attribute<CmdletAttribute>(typeof(DisconnectQlikSenseCommand)).Single().ConstructorArguments.Select(a => a.Value));
        }

        [Fact]
        public void Get_user_activity_emits_user_activity_and_types_its_parameters()
        {
            Assert.Equal(new object[] { "Get", "QlikUserActivity" }, Attribute<CmdletAttribute>(typeof(GetQlikUserActivityCommand)).Single().ConstructorArguments.Select(a => a.Value));
            Assert.Equal(new[] { typeof(UserActivity) }, OutputTypes(typeof(GetQlikUserActivityCommand)));
            Assert.Equal(typeof(LicenseType[]), typeof(GetQlikUserActivityCommand).GetProperty("LicenseType")!.PropertyType);
            Assert.Equal(new[] { "1,7,14,30,90,180,365" }, new GetQlikUserActivityCommand().Bucket);
            Assert.Equal(typeof(DateTime), typeof(GetQlikUserActivityCommand).GetProperty("AsOf")!.PropertyType);
            Assert.Equal(typeof(SwitchParameter), typeof(GetQlikUserActivityCommand).GetProperty("LicensedOnly")!.PropertyType);
            Assert.Single(Attribute<ValidateNotNullOrEmptyAttribute>(typeof(GetQlikUserActivityCommand).GetProperty("UserDirectory")!));
        }

        [Fact]
        public void Without_a_connection_the_error_says_to_connect_first()
        {
            var saved = DefaultConnection.Current;
            DefaultConnection.Current = null;
            try
            {
                var ex = Assert.Throws<QlikActivityException>(() => DefaultConnection.Resolve(null));
                Assert.Equal(DefaultConnection.NotConnectedErrorId, ex.ErrorId);
                Assert.Contains("Connect-QlikSense", ex.Message);
            }
            finally
            {
                DefaultConnection.Current = saved;
            }
        }

        private static IEnumerable<CustomAttributeData> Attribute<T>(MemberInfo member) =>
            member.GetCustomAttributesData().Where(a => a.AttributeType == typeof(T));

        private static object? Named(CustomAttributeData attribute, string name) =>
            attribute.NamedArguments.Where(n => n.MemberName == name).Select(n => n.TypedValue.Value).FirstOrDefault();

        private static Type[] OutputTypes(Type command) =>
            Attribute<OutputTypeAttribute>(command)
                .SelectMany(a => (IEnumerable<CustomAttributeTypedArgument>)a.ConstructorArguments[0].Value!)
                .Select(a => (Type)a.Value!)
                .ToArray();

        private static bool Mandatory(Type command, string parameter, string set) =>
            Attribute<ParameterAttribute>(command.GetProperty(parameter)!)
                .Where(a => (string?)Named(a, "ParameterSetName") == set)
                .Select(a => Named(a, "Mandatory") is true)
                .Single();
    }
}
