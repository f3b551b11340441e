using System;
using System.IO;
using System.Threading.Tasks;
using QlikActivity.QrsSimulator;
using Xunit;

namespace QlikActivity.PowerShell.Tests.Fixtures
{
    /// <summary>
    /// One QRS simulator (HTTPS, generated CA, client certificates enforced) per test class that asks
    /// for it with IClassFixture. Certificates are exported to <see cref="CertificateDirectory"/> as
    /// the QMC exports them; the server certificate names "localhost".
    /// </summary>
    public sealed class SimulatorFixture : IAsyncLifetime
    {
        /// <summary>The data's clock: fixed, so days and buckets are stable.</summary>
        public static readonly DateTime Now = new DateTime(2024, 11, 15, 12, 0, 0, DateTimeKind.Utc);

        public const int Users = 40;

        public QrsSimulator.SimulatedQrs Sim { get; private set; } = null!;

        public string Server => "localhost";
        public int Port => Sim.Port;
        public string CertificateDirectory => Sim.CertificateDirectory;

        /// <summary>The arguments of a certificate-folder Connect-QlikSense, for script text.</summary>
        public string ConnectArguments => $"-Server {Server} -Port {Port} -CertificatePath '{CertificateDirectory}'";

        public async Task InitializeAsync()
        {
            Sim = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions { Users = Users, Seed = 5, Now = Now });
        }

        public async Task DisposeAsync()
        {
            await Sim.DisposeAsync();
        }

        public string CertificateFile(string name) => Path.Combine(CertificateDirectory, name);
    }
}
