using System;
using System.Threading;

namespace QlikActivity.QrsSimulator
{
    /// <summary>How a <see cref="SimulatedQrs"/> starts: data size and seed, ports, certificates, JWT key, faults.</summary>
    public sealed class QrsSimulatorOptions
    {
        /// <summary>Seeded users, service accounts included.</summary>
        public int Users { get; set; } = 100;

        /// <summary>Seed of the generated data: same seed and <see cref="Now"/>, same data.</summary>
        public int Seed { get; set; } = 1;

        /// <summary>Where root.pem, client.pem, client_key.pem, client.pfx and the JWT keys go; null = a new temp directory.</summary>
        public string? CertificateDirectory { get; set; }

        /// <summary>The certificate port (4242 on a real site); 0 = a free port.</summary>
        public int Port { get; set; }

        /// <summary>The virtual proxy port (443 on a real site); 0 = a free port.</summary>
        public int ProxyPort { get; set; }

        public string VirtualProxyPrefix { get; set; } = "jwt";

        /// <summary>A PEM key (private: can sign and verify) or public key/certificate (verify only); null = generate one.</summary>
        public string? JwtKeyFile { get; set; }

        /// <summary>The simulator's "now" (UTC) at start; seeded dates are relative to it. Null = the real clock.</summary>
        public DateTime? Now { get; set; }

        public FaultOptions Faults { get; set; } = new FaultOptions();

        /// <summary>Service times and capacity (off by default: every request is served at once).</summary>
        public CostModelOptions CostModel { get; set; } = new CostModelOptions();

        /// <summary>False to start with an empty store (only the service account sa_repository is needed by nobody).</summary>
        public bool SeedData { get; set; } = true;

        /// <summary>Fresh certificates for this simulator instead of the per-process set.</summary>
        public bool OwnCertificates { get; set; }
    }

    /// <summary>
    /// Faults injected into /qrs requests, changeable while running (thread-safe). Rates are probabilities
    /// per request, taken in this order: drop, 500, 503, 429. The draws come from one generator seeded with
    /// <see cref="Seed"/>: a test fixes the seed and prints it when it fails, so a failing run can be repeated.
    /// </summary>
    public sealed class FaultOptions
    {
        private readonly object _randomGate = new object();
        private Random _random;
        private int _seed;
        private int _definitionConflicts;
        private double _serverErrorRate;
        private double _unavailableRate;
        private double _tooManyRequestsRate;
        private double _dropRate;
        private double _concurrentModificationRate;
        private double _applyThenStallRate;
        private double _applyThenDropRate;
        private long _latencyTicks;
        private int _onlyWrites;

        /// <summary>500 Internal Server Error.</summary>
        public double ServerErrorRate { get => Volatile.Read(ref _serverErrorRate); set => Volatile.Write(ref _serverErrorRate, Check(value)); }

        /// <summary>503 Service Unavailable.</summary>
        public double UnavailableRate { get => Volatile.Read(ref _unavailableRate); set => Volatile.Write(ref _unavailableRate, Check(value)); }

        /// <summary>429 Too Many Requests with <c>Retry-After: 1</c>.</summary>
        public double TooManyRequestsRate { get => Volatile.Read(ref _tooManyRequestsRate); set => Volatile.Write(ref _tooManyRequestsRate, Check(value)); }

        /// <summary>The connection is aborted without a response.</summary>
        public double DropRate { get => Volatile.Read(ref _dropRate); set => Volatile.Write(ref _dropRate, Check(value)); }

        /// <summary>On PUT /qrs/user/{id}: the stored user gets a new modifiedDate first, as if edited by someone else, so the PUT meets a 409.</summary>
        public double ConcurrentModificationRate { get => Volatile.Read(ref _concurrentModificationRate); set => Volatile.Write(ref _concurrentModificationRate, Check(value)); }

        /// <summary>
        /// On PUT /qrs/user/{id}: the update is applied, then the response never comes (the request
        /// hangs until the client gives up), as a server that stalls after committing.
        /// </summary>
        public double ApplyThenStallRate { get => Volatile.Read(ref _applyThenStallRate); set => Volatile.Write(ref _applyThenStallRate, Check(value)); }

        /// <summary>On PUT /qrs/user/{id}: the update is applied, then the connection is aborted without a response.</summary>
        public double ApplyThenDropRate { get => Volatile.Read(ref _applyThenDropRate); set => Volatile.Write(ref _applyThenDropRate, Check(value)); }

        /// <summary>Added before every /qrs response.</summary>
        public TimeSpan Latency { get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks)); set => Interlocked.Exchange(ref _latencyTicks, value.Ticks); }

        /// <summary>Faults hit PUT/POST/DELETE only.</summary>
        public bool OnlyWrites { get => Volatile.Read(ref _onlyWrites) != 0; set => Volatile.Write(ref _onlyWrites, value ? 1 : 0); }

        public FaultOptions()
        {
            // Unseeded runs still get a seed of their own, so a failure can say which.
            _seed = Environment.TickCount & int.MaxValue;
            _random = new Random(_seed);
        }

        /// <summary>Seed of the fault draws; setting it starts the sequence again from that seed.</summary>
        public int Seed
        {
            get { lock (_randomGate) { return _seed; } }
            set { lock (_randomGate) { _seed = value; _random = new Random(value); } }
        }

        /// <summary>
        /// The next this many PUTs of a custom property definition meet a 409: just before each, the stored
        /// definition is edited (its description and modifiedDate), as if an admin had changed it in the QMC.
        /// </summary>
        public int DefinitionConflicts { get => Volatile.Read(ref _definitionConflicts); set => Volatile.Write(ref _definitionConflicts, value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value))); }

        /// <summary>The next draw in [0, 1) of the seeded sequence.</summary>
        internal double NextDouble()
        {
            lock (_randomGate)
            {
                return _random.NextDouble();
            }
        }

        /// <summary>Takes one of <see cref="DefinitionConflicts"/>, if any are left.</summary>
        internal bool TakeDefinitionConflict()
        {
            while (true)
            {
                int left = Volatile.Read(ref _definitionConflicts);
                if (left <= 0)
                {
                    return false;
                }

                if (Interlocked.CompareExchange(ref _definitionConflicts, left - 1, left) == left)
                {
                    return true;
                }
            }
        }

        /// <summary>Turns every fault off (the seed stays).</summary>
        public void Clear()
        {
            ServerErrorRate = 0;
            UnavailableRate = 0;
            TooManyRequestsRate = 0;
            DropRate = 0;
            ConcurrentModificationRate = 0;
            DefinitionConflicts = 0;
            ApplyThenStallRate = 0;
            ApplyThenDropRate = 0;
            Latency = TimeSpan.Zero;
            OnlyWrites = false;
        }

        private static double Check(double rate) =>
            rate is >= 0 and <= 1 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), rate, "a rate is between 0 and 1");
    }
}
