using System;
using System.IO;
using System.Threading.Tasks;
using QlikActivity.Core.Qrs;
using QlikActivity.QrsSimulator;
using Xunit;

namespace QlikActivity.Core.Tests.Qrs
{
    /// <summary>One running QRS simulator for a test class, with helpers to build connection options against it.</summary>
    public sealed class SimulatorFixture : IAsyncLifetime
    {
        public QrsSimulator.SimulatedQrs Sim { get; private set; } = null!;

        /// <summary>A fixed "now" so activity dates and expected buckets never drift.</summary>
        public static readonly DateTime Now = new DateTime(2024, 11, 15, 12, 0, 0, DateTimeKind.Utc);

        public async Task InitializeAsync()
        {
            Sim = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions { Users = 50, Seed = 7, Now = Now });
        }

        public async Task DisposeAsync() => await Sim.DisposeAsync();

        public string RootPem => Path.Combine(Sim.CertificateDirectory, "root.pem");

        /// <summary>Certificate options with the simulator's PEM folder, as the QMC exports it.</summary>
        public QrsConnectionOptions CertificateOptions(Action<QrsConnectionOptions>? configure = null)
        {
            var options = new QrsConnectionOptions
            {
                Server = "127.0.0.1",
                Port = Sim.Port,
                CertificateFolder = Sim.CertificateDirectory,
                Timeout = TimeSpan.FromSeconds(60),
                RetryBaseDelay = TimeSpan.FromMilliseconds(5),
                MaximumRetryDelay = TimeSpan.FromMilliseconds(50),
            };
            configure?.Invoke(options);
            return options;
        }

        /// <summary>JWT options through the simulator's virtual proxy.</summary>
        public QrsConnectionOptions JwtOptions(string jwt, Action<QrsConnectionOptions>? configure = null)
        {
            var options = new QrsConnectionOptions
            {
                Server = "127.0.0.1",
                Port = Sim.ProxyPort,
                AuthenticationMode = AuthenticationMode.Jwt,
                VirtualProxy = "jwt",
                Jwt = new QrsSecret(jwt),
                RootCertificatePath = RootPem,
                Timeout = TimeSpan.FromSeconds(60),
                RetryBaseDelay = TimeSpan.FromMilliseconds(5),
                MaximumRetryDelay = TimeSpan.FromMilliseconds(50),
            };
            configure?.Invoke(options);
            return options;
        }
    }
}
