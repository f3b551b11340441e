using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using QlikActivity.PowerShell.Tests.Fixtures;
using Xunit;

namespace QlikActivity.PowerShell.Tests
{
    /// <summary>Connect-QlikSense in a live runspace against the QRS simulator, one test per way to authenticate.</summary>
    public sealed class ConnectQlikSenseTests : IClassFixture<SimulatorFixture>
    {
        private readonly SimulatorFixture _sim;

        public ConnectQlikSenseTests(SimulatorFixture sim) => _sim = sim;

        [Fact]
        public void Pem_folder_is_the_default_set_and_the_connection_becomes_the_default()
        {
            using var session = ModuleSession.Start();
            var result = session.Run($"Connect-QlikSense {_sim.ConnectArguments}");
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            var connection = Assert.Single(result.Output);
            Assert.Equal("QlikActivity.Core.Qrs.QlikSenseConnection", connection.BaseObject.GetType().FullName);
            Assert.Equal("localhost", result.Property<string>(0, "Server"));
            Assert.Equal(_sim.Port, result.Property<int>(0, "Port"));
            Assert.True(result.Property<bool>(0, "IsOpen"));

            // The default connection serves the next cmdlet without -Connection.
            var activity = session.Run("@(Get-QlikUserActivity).Count");
            Assert.True((int)activity.Output.Single().BaseObject >= SimulatorFixture.Users);
        }

        [Fact]
        public void The_default_connection_belongs_to_its_runspace()
        {
            using var first = ModuleSession.Start();
            using var second = ModuleSession.Start();
            Assert.Null(first.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);

            // Another runspace in the same process (a thread job, a second host) is not connected by it.
            var other = second.Run("Get-QlikUserActivity");
            Assert.Empty(other.Output);
            Assert.StartsWith("QlikNotConnected", other.TerminatingRecord?.FullyQualifiedErrorId);

            // Connecting and disconnecting there leaves the first runspace's default alone.
            Assert.Null(second.Run($"Connect-QlikSense {_sim.ConnectArguments}").Terminated);
            Assert.Null(second.Run("Disconnect-QlikSense").Terminated);
            var mine = first.Run("@(Get-QlikUserActivity).Count");
            Assert.Null(mine.Terminated);
            Assert.Equal(SimulatorFixture.Users, (int)mine.Output.Single().BaseObject);
            Assert.StartsWith("QlikNotConnected", second.Run("Get-QlikUserActivity").TerminatingRecord?.FullyQualifiedErrorId);
        }

        [Fact]
        public void Server_binds_by_position_and_from_the_pipeline_by_property_name()
        {
            using var session = ModuleSession.Start();
            var positional = session.Run($"Connect-QlikSense localhost -Port {_sim.Port} -CertificatePath '{_sim.CertificateDirectory}'");
            Assert.Null(positional.Terminated);
            Assert.Equal("localhost", positional.Property<string>(0, "Server"));

            // A CSV of servers, as an admin keeps them: ComputerName is an alias of Server, Port comes along.
            string csv = Path.Combine(_sim.CertificateDirectory, "servers.csv");
            File.WriteAllText(csv, $"ComputerName,Port\nlocalhost,{_sim.Port}\n");
            var piped = session.Run($"Import-Csv -LiteralPath '{csv}' | Connect-QlikSense -CertificatePath '{_sim.CertificateDirectory}'");
            Assert.Null(piped.Terminated);
            Assert.Equal(_sim.Port, piped.Property<int>(0, "Port"));

            var fromObject = session.Run($"[pscustomobject]@{{ HostName = 'localhost'; Port = {_sim.Port} }} | Connect-QlikSense -CertificatePath '{_sim.CertificateDirectory}'");
            Assert.Null(fromObject.Terminated);
            Assert.True(fromObject.Property<bool>(0, "IsOpen"));
        }

        [Fact]
        public void Pfx_set_connects_with_the_exported_pfx()
        {
            using var session = ModuleSession.Start();
            session.SetVariable("password", new System.Net.NetworkCredential("", "").SecurePassword);
            var result = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -PfxPath '{_sim.CertificateFile("client.pfx")}' -CertificatePassword $password -RootCertificatePath '{_sim.CertificateFile("root.pem")}'");
            Assert.Null(result.Terminated);
            Assert.True(result.Property<bool>(0, "IsOpen"));
            Assert.Equal(_sim.Sim.ClientCertificate.Thumbprint, result.Property<string>(0, "CertificateThumbprint"));
        }

        [Fact]
        public void Certificate_set_takes_a_certificate_object()
        {
            using var session = ModuleSession.Start();
            session.SetVariable("certificate", _sim.Sim.ClientCertificate);
            var result = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -Certificate $certificate -RootCertificatePath '{_sim.CertificateFile("root.pem")}'");
            Assert.Null(result.Terminated);
            Assert.True(result.Property<bool>(0, "IsOpen"));
        }

        [Fact]
        public void Thumbprint_set_finds_the_certificate_in_CurrentUser_My_and_names_a_missing_one()
        {
            using var session = ModuleSession.Start();
            var missing = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -Thumbprint {new string('A', 40)} -RootCertificatePath '{_sim.CertificateFile("root.pem")}'");
            var record = missing.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith("QrsCertificateNotInStore", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.ObjectNotFound, record.CategoryInfo.Category);

            // .NET keeps a CurrentUser\My store on Linux too: put the client certificate there for this test.
            using var pfx = X509CertificateLoader.LoadPkcs12FromFile(_sim.CertificateFile("client.pfx"), "", X509KeyStorageFlags.Exportable | X509KeyStorageFlags.PersistKeySet);
            using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            store.Add(pfx);
            try
            {
                var found = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -Thumbprint '{pfx.Thumbprint.ToLowerInvariant()}' -RootCertificatePath '{_sim.CertificateFile("root.pem")}'");
                Assert.Null(found.Terminated);
                Assert.Equal(pfx.Thumbprint, found.Property<string>(0, "CertificateThumbprint"));
            }
            finally
            {
                store.Remove(pfx);
            }
        }

        [Fact]
        public void Jwt_set_connects_through_the_virtual_proxy_and_never_shows_the_token()
        {
            using var session = ModuleSession.Start();
            string jwt = _sim.Sim.CreateJwt("INTERNAL", "sa_api");
            session.SetVariable("jwt", new System.Net.NetworkCredential("", jwt).SecurePassword);
            var result = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Sim.ProxyPort} -VirtualProxy jwt -Jwt $jwt -RootCertificatePath '{_sim.CertificateFile("root.pem")}' -Verbose");
            Assert.Null(result.Terminated);
            Assert.True(result.Property<bool>(0, "IsOpen"));

            string shown = session.Render($"$c = Connect-QlikSense -Server localhost -Port {_sim.Sim.ProxyPort} -VirtualProxy jwt -Jwt $jwt -RootCertificatePath '{_sim.CertificateFile("root.pem")}'; $c; $c | Format-List *", 120);
            string signature = jwt.Split('.')[2];
            Assert.DoesNotContain(signature, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(result.Verbose, v => v.Message.Contains(signature, StringComparison.Ordinal));
            Assert.DoesNotContain(session.Host.Lines, l => l.Text.Contains(signature, StringComparison.Ordinal));
        }

        [Fact]
        public void A_missing_certificate_folder_is_a_terminating_error_with_id_category_and_the_server_as_target()
        {
            using var session = ModuleSession.Start();
            string missing = Path.Combine(_sim.CertificateDirectory, "none");
            var result = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -CertificatePath '{missing}'");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.EndsWith(",QlikActivity.Commands.ConnectQlikSenseCommand", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.ObjectNotFound, record.CategoryInfo.Category);
            Assert.Equal("localhost", record.TargetObject);
            Assert.Contains("none", record.Exception.Message, StringComparison.Ordinal);
            Assert.Empty(result.Output);

            // -ErrorAction Stop: a script's try/catch gets the same record.
            var caught = session.Run($"try {{ Connect-QlikSense -Server localhost -Port {_sim.Port} -CertificatePath '{missing}' -ErrorAction Stop; 'not reached' }} catch {{ $_ }}");
            var caughtRecord = Assert.IsType<ErrorRecord>(caught.Output.Single().BaseObject);
            Assert.Equal(record.FullyQualifiedErrorId, caughtRecord.FullyQualifiedErrorId);
        }

        [Fact]
        public void An_untrusted_client_certificate_is_refused_with_a_connection_error()
        {
            using var session = ModuleSession.Start();
            session.SetVariable("certificate", _sim.Sim.CreateUntrustedClientCertificate());
            var result = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -Certificate $certificate -RootCertificatePath '{_sim.CertificateFile("root.pem")}' -MaximumRetryCount 0");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.EndsWith(",QlikActivity.Commands.ConnectQlikSenseCommand", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.NotEqual(ErrorCategory.NotSpecified, record.CategoryInfo.Category);
        }

        [Theory]
        [InlineData("-Port 0", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
        [InlineData("-TimeoutSec 0", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
        [InlineData("-Jwt $null", "ParameterArgumentValidationError", ErrorCategory.InvalidData)]
        [InlineData("-PfxPath x.pfx -Thumbprint AB", "AmbiguousParameterSet", ErrorCategory.InvalidArgument)]
        public void Bad_arguments_are_binding_errors(string arguments, string errorId, ErrorCategory category)
        {
            using var session = ModuleSession.Start();
            var result = session.Run($"Connect-QlikSense -Server localhost {arguments}");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.StartsWith(errorId + ",", record!.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(category, record.CategoryInfo.Category);
        }

        [Fact]
        public void Server_takes_a_url_with_port_and_virtual_proxy()
        {
            using var session = ModuleSession.Start();
            var result = session.Run($"Connect-QlikSense -Server https://localhost:{_sim.Port} -CertificatePath '{_sim.CertificateDirectory}'");
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.Equal("localhost", result.Property<string>(0, "Server"));
            Assert.Equal(_sim.Port, result.Property<int>(0, "Port"));
            Assert.True(result.Property<bool>(0, "IsOpen"));

            // The address from the browser, virtual proxy included, for a JWT.
            session.SetVariable("jwt", new System.Net.NetworkCredential("", _sim.Sim.CreateJwt("INTERNAL", "sa_api")).SecurePassword);
            var jwt = session.Run($"Connect-QlikSense -Server 'https://localhost:{_sim.Sim.ProxyPort}/jwt/' -Jwt $jwt -RootCertificatePath '{_sim.CertificateFile("root.pem")}'");
            Assert.Null(jwt.Terminated);
            Assert.Equal("localhost", jwt.Property<string>(0, "Server"));
            Assert.Equal(_sim.Sim.ProxyPort, jwt.Property<int>(0, "Port"));
            Assert.Equal("jwt", jwt.Property<string>(0, "VirtualProxy"));
            Assert.True(jwt.Property<bool>(0, "IsOpen"));
        }

        [Theory]
        [InlineData("http://localhost:4242", "", "https://")]
        [InlineData("https://localhost:4242", "-Port 4243", "give the port once")]
        [InlineData("https://localhost:4242/a/b", "", "one virtual proxy")]
        [InlineData("https://user:pw@localhost:4242", "", "without user name")]
        [InlineData("localhost/jwt", "", "https://sense.example.com:4242")]
        public void A_url_that_cannot_be_used_is_explained_not_a_UriFormatException(string server, string more, string expected)
        {
            using var session = ModuleSession.Start();
            var result = session.Run($"Connect-QlikSense -Server '{server}' {more} -CertificatePath '{_sim.CertificateDirectory}'");
            var record = result.TerminatingRecord;
            Assert.NotNull(record);
            Assert.IsNotType<UriFormatException>(record!.Exception);
            Assert.Equal(ErrorCategory.InvalidArgument, record.CategoryInfo.Category);
            Assert.Contains(expected, record.Exception.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(":pw@", record.Exception.Message, StringComparison.Ordinal);
            Assert.Empty(result.Output);
        }

        [Fact]
        public void CertificatePath_takes_client_pem_for_its_folder_and_explains_other_files()
        {
            using var session = ModuleSession.Start();
            var result = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -CertificatePath '{_sim.CertificateFile("client.pem")}'");
            Assert.Null(result.Terminated);
            Assert.Empty(result.Errors);
            Assert.True(result.Property<bool>(0, "IsOpen"));

            var pfx = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -CertificatePath '{_sim.CertificateFile("client.pfx")}'");
            Assert.NotNull(pfx.TerminatingRecord);
            Assert.Equal(ErrorCategory.InvalidArgument, pfx.TerminatingRecord!.CategoryInfo.Category);
            Assert.Contains("takes the folder", pfx.TerminatingRecord.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("-PfxPath", pfx.TerminatingRecord.Exception.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("does not exist", pfx.TerminatingRecord.Exception.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_missing_pfx_file_is_named_once()
        {
            using var session = ModuleSession.Start();
            var result = session.Run($"Connect-QlikSense -Server localhost -Port {_sim.Port} -PfxPath '{_sim.CertificateFile("missing.pfx")}'");
            Assert.NotNull(result.TerminatingRecord);
            string message = result.TerminatingRecord!.Exception.Message;
            Assert.Contains("The PFX file '", message, StringComparison.Ordinal);
            Assert.DoesNotContain("file file", message, StringComparison.Ordinal);
        }

        [Fact]
        public void Skipping_the_certificate_check_warns()
        {
            using var session = ModuleSession.Start();
            var result = session.Run($"Connect-QlikSense {_sim.ConnectArguments} -SkipCertificateCheck");
            Assert.Null(result.Terminated);
            Assert.NotEmpty(result.Warnings);
        }

        [Fact]
        public void The_default_view_shows_server_and_port_at_80_and_120_columns()
        {
            using var session = ModuleSession.Start();
            foreach (int width in new[] { 80, 120 })
            {
                string table = session.Render($"Connect-QlikSense {_sim.ConnectArguments}", width);
                string header = HeaderLine(table);
                Assert.Contains("Server", header, StringComparison.Ordinal);
                Assert.Contains("Port", header, StringComparison.Ordinal);
                Assert.Contains("localhost", table, StringComparison.Ordinal);
                Assert.Contains(_sim.Port.ToString(), table, StringComparison.Ordinal);
                Assert.All(Lines(table), l => Assert.True(l.Length <= width, $"wider than {width}: {l}"));
            }
        }

        [Fact]
        public void Help_comes_from_the_built_maml_with_examples()
        {
            HelpAssert.HasWrittenHelp("Connect-QlikSense", "Server", "CertificatePath", "Jwt", "PfxPath");
        }

        internal static string HeaderLine(string table) => Lines(table).First(l => l.Trim().Length > 0);

        internal static string[] Lines(string text) => text.Replace("\r", "").Split('\n');
    }
}
