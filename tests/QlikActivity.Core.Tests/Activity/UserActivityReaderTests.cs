using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;
using QlikActivity.Core.Tests.Qrs;
using QlikActivity.QrsSimulator;
using QlikActivity.QrsSimulator.Entities;
using Xunit;

namespace QlikActivity.Core.Tests.Activity
{
    /// <summary>An empty simulator (no seeded site): each test adds its own users in its own user directory.</summary>
    public sealed class EmptySimulatorFixture : IAsyncLifetime
    {
        private int _directories;

        public QrsSimulator.SimulatedQrs Sim { get; private set; } = null!;

        public QlikSenseConnection Connection { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Sim = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions { SeedData = false, Now = SimulatorFixture.Now });
            Connection = await QlikSenseConnection.ConnectAsync(Options(Sim));
        }

        public async Task DisposeAsync()
        {
            Connection.Dispose();
            await Sim.DisposeAsync();
        }

        /// <summary>A user directory no other test uses.</summary>
        public string NewDirectory() => "DIR" + Interlocked.Increment(ref _directories).ToString(CultureInfo.InvariantCulture);

        public static QrsConnectionOptions Options(QrsSimulator.SimulatedQrs sim, int retries = 4) => new QrsConnectionOptions
        {
            Server = "127.0.0.1",
            Port = sim.Port,
            CertificateFolder = sim.CertificateDirectory,
            MaximumRetryCount = retries,
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            MaximumRetryDelay = TimeSpan.FromMilliseconds(50),
        };
    }

    /// <summary>Get-QlikUserActivity's operation against the simulator: every activity rule end to end.</summary>
    [Trait("Category", "Integration")]
    public sealed class UserActivityReaderTests : IClassFixture<EmptySimulatorFixture>
    {
        private static readonly DateTime AsOf = SimulatorFixture.Now;
        private readonly EmptySimulatorFixture _f;

        public UserActivityReaderTests(EmptySimulatorFixture fixture)
        {
            _f = fixture;
            _f.Sim.Faults.Clear();
        }

        private QrsStore Store => _f.Sim.Store;

        [Fact]
        public void The_latest_activity_over_all_records_of_all_types_wins()
        {
            string dir = _f.NewDirectory();
            var anna = Store.AddUser(dir, "anna", "Anna Berg");
            Store.AddLicenseRecord("professional", anna, AsOf.AddDays(-40));
            Store.AddLicenseRecord("analyzer", anna, QrsDate.Never);
            Store.AddLicenseRecord("user", anna, AsOf.AddDays(-100));
            Store.AddLicenseRecord("login", anna, AsOf.AddDays(-20));
            Store.AddLicenseRecord("login", anna, AsOf.AddDays(-3).AddHours(-2));
            Store.AddLicenseRecord("analyzer-time", anna, AsOf.AddDays(-10));

            var result = Assert.Single(Read(dir));

            Assert.Equal(anna, result.Id);
            Assert.Equal("Anna Berg", result.Name);
            Assert.Equal(AsOf.AddDays(-3).AddHours(-2), result.LastActivity);
            Assert.Equal(3, result.DaysInactive);
            Assert.Equal("7", result.Bucket);
            Assert.Equal(LicenseTypes.All, result.LicenseTypes);
            Assert.True(result.HasLicenseRecord);
        }

        [Fact]
        public async Task A_directory_and_user_id_holding_a_backslash_and_a_quote_are_found_through_the_filter()
        {
            // Issue 11 item 13: the filter escaped ' but not \, so a \ before a ' ended the string early (a 400).
            string dir = _f.NewDirectory() + "\\'X\\";
            string userId = "o\\'brien\\";
            var odd = Store.AddUser(dir, userId);
            Store.AddLicenseRecord("professional", odd, AsOf.AddDays(-2));

            var result = Assert.Single(Read(dir));
            Assert.Equal(odd, result.Id);
            Assert.Equal(dir, result.UserDirectory);

            var users = (await _f.Connection.Client.GetJsonAsync("user", QrsFilter.Eq("userId", userId)))!.AsArray();
            Assert.Equal(odd, Guid.Parse(Assert.Single(users)!["id"]!.GetValue<string>()));
        }

        [Fact]
        public void A_user_whose_records_show_no_use_is_never_active()
        {
            string dir = _f.NewDirectory();
            var ben = Store.AddUser(dir, "ben");
            Store.AddLicenseRecord("professional", ben, QrsDate.Never);
            Store.AddLicenseRecord("user", ben, QrsDate.Never);

            var result = Assert.Single(Read(dir));

            Assert.Null(result.LastActivity);
            Assert.Null(result.DaysInactive);
            Assert.Equal(BucketSet.NeverLabel, result.Bucket);
            Assert.True(result.HasLicenseRecord);
            Assert.Equal(new[] { LicenseType.Professional, LicenseType.User }, result.LicenseTypes);
        }

        [Fact]
        public void Users_without_any_license_record_are_listed_and_marked_unless_left_out()
        {
            string dir = _f.NewDirectory();
            var carla = Store.AddUser(dir, "carla");
            var dora = Store.AddUser(dir, "dora");
            Store.AddLicenseRecord("analyzer", carla, AsOf.AddDays(-1));

            var all = Read(dir);
            var none = all.Single(r => r.Id == dora);
            Assert.False(none.HasLicenseRecord);
            Assert.Equal(BucketSet.NoLicenseRecordLabel, none.Bucket);
            Assert.Null(none.LastActivity);
            Assert.Equal(2, all.Count);

            var licensed = Read(dir, r => r.IncludeUsersWithoutLicenseRecord = false);
            Assert.Equal(carla, Assert.Single(licensed).Id);
        }

        [Fact]
        public void Only_the_selected_license_types_count()
        {
            string dir = _f.NewDirectory();
            var eve = Store.AddUser(dir, "eve");
            Store.AddLicenseRecord("login", eve, AsOf.AddDays(-2));
            Store.AddLicenseRecord("professional", eve, AsOf.AddDays(-50));

            var professional = Assert.Single(Read(dir, r => r.LicenseTypes = new[] { LicenseType.Professional }));
            Assert.Equal(50, professional.DaysInactive);
            Assert.Equal(new[] { LicenseType.Professional }, professional.LicenseTypes);

            var analyzer = Assert.Single(Read(dir, r => r.LicenseTypes = new[] { LicenseType.Analyzer }));
            Assert.False(analyzer.HasLicenseRecord);

            var both = Assert.Single(Read(dir, r => r.LicenseTypes = new[] { LicenseType.Login, LicenseType.Professional }));
            Assert.Equal(2, both.DaysInactive);
        }

        [Fact]
        public async Task The_directory_filter_goes_to_the_server_and_matches_any_case()
        {
            string lab = _f.NewDirectory();
            string corp = _f.NewDirectory();
            var a = Store.AddUser(lab, "a");
            var b = Store.AddUser(corp, "b");
            Store.AddUser(corp, "c");
            Store.AddLicenseRecord("professional", a, AsOf.AddDays(-5));
            Store.AddLicenseRecord("professional", b, AsOf.AddDays(-5));
            var sent = new System.Collections.Concurrent.ConcurrentQueue<Uri>();
            var options = EmptySimulatorFixture.Options(_f.Sim);
            options.WrapHandler = inner => new RecordingUris(inner, sent);
            using var connection = await QlikSenseConnection.ConnectAsync(options);

            var labOnly = UserActivityReader.Read(new RecordingHost(), new UserActivityRequest(connection) { UserDirectories = new[] { lab.ToLowerInvariant() } }).ToList();
            Assert.Equal(a, Assert.Single(labOnly).Id);

            // Filtered on the server: every list and count asked only for that directory.
            var lists = sent.Where(u => u.AbsolutePath != "/qrs/about").ToList();
            Assert.Equal(12, lists.Count);
            string escaped = Uri.EscapeDataString("'" + lab.ToLowerInvariant() + "'");
            Assert.All(lists.Where(u => u.AbsolutePath.StartsWith("/qrs/license/", StringComparison.Ordinal)),
                u => Assert.Contains("&filter=user.userDirectory%20eq%20" + escaped, u.Query));
            Assert.All(lists.Where(u => u.AbsolutePath.StartsWith("/qrs/user", StringComparison.Ordinal)),
                u => Assert.Contains("&filter=userDirectory%20eq%20" + escaped, u.Query));

            var both = Read(new[] { lab, corp });
            Assert.Equal(3, both.Count);
            Assert.Equal(new[] { lab, corp, corp }, both.Select(r => r.UserDirectory));
        }

        [Fact]
        public void Bucket_edges_use_whole_utc_days_from_as_of()
        {
            string dir = _f.NewDirectory();
            var expected = new Dictionary<Guid, (int Days, string Bucket)>();
            foreach (var (days, bucket) in new[] { (0, "1"), (1, "1"), (2, "7"), (7, "7"), (8, "14"), (14, "14"), (15, "30"), (365, "365"), (366, "365+"), (4000, "365+") })
            {
                var id = Store.AddUser(dir, "d" + days);
                Store.AddLicenseRecord("professional", id, AsOf.AddDays(-days));
                expected[id] = (days, bucket);
            }

            var results = Read(dir);

            Assert.Equal(expected.Count, results.Count);
            Assert.All(results, r =>
            {
                Assert.Equal(expected[r.Id].Days, r.DaysInactive);
                Assert.Equal(expected[r.Id].Bucket, r.Bucket);
                Assert.Equal(AsOf, r.AsOf);
            });
        }

        [Fact]
        public void Custom_buckets_have_their_own_overflow()
        {
            string dir = _f.NewDirectory();
            var recent = Store.AddUser(dir, "recent");
            var old = Store.AddUser(dir, "old");
            Store.AddLicenseRecord("analyzer", recent, AsOf.AddDays(-6));
            Store.AddLicenseRecord("analyzer", old, AsOf.AddDays(-8));

            var results = Read(dir, r => r.Buckets = BucketSet.Parse(new[] { "7", "1" }));

            Assert.Equal("7", results.Single(r => r.Id == recent).Bucket);
            Assert.Equal("7+", results.Single(r => r.Id == old).Bucket);
        }

        [Fact]
        public void Quarantined_records_still_count_and_are_reported()
        {
            string dir = _f.NewDirectory();
            var fay = Store.AddUser(dir, "fay");
            Store.AddLicenseRecord("professional", fay, AsOf.AddDays(-12), quarantined: true);
            var host = new RecordingHost();

            var result = Assert.Single(UserActivityReader.Read(host, Request(dir)).ToList());

            Assert.Equal(12, result.DaysInactive);
            Assert.Contains(host.Verbose, v => v.StartsWith("Read 1 Professional records (1 quarantined", StringComparison.Ordinal));
        }

        [Fact]
        public void The_host_hears_progress_and_counts_only_on_the_calling_thread()
        {
            string dir = _f.NewDirectory();
            for (int i = 0; i < 30; i++)
            {
                var id = Store.AddUser(dir, "p" + i);
                if (i % 3 != 0)
                {
                    Store.AddLicenseRecord("login", id, AsOf.AddDays(-i));
                }
            }

            var host = new RecordingHost();
            var results = UserActivityReader.Read(host, Request(dir)).ToList();

            Assert.Equal(30, results.Count);
            Assert.False(host.WroteFromOtherThread);
            Assert.NotEmpty(host.Progress);
            Assert.True(host.Progress.Last().Completed);
            Assert.All(host.Progress, p => Assert.Equal(UserActivityReader.ProgressActivityId, p.ActivityId));
            Assert.Contains(host.Verbose, v => v.StartsWith("Read 20 Login records", StringComparison.Ordinal));
            Assert.Contains(host.Verbose, v => v == "Read 30 users.");
            Assert.Contains(host.Verbose, v => v.Contains("20 with activity, 0 with license records but no use ('never'), 10 without a license record ('no record')"));
        }

        [Fact]
        public void The_operation_is_lazy_and_a_consumer_may_stop_early()
        {
            string dir = _f.NewDirectory();
            for (int i = 0; i < 10; i++)
            {
                Store.AddUser(dir, "s" + i);
            }

            _f.Sim.Requests.Clear();
            var host = new RecordingHost();
            var sequence = UserActivityReader.Read(host, Request(dir));
            Assert.Equal(0, _f.Sim.Requests.Total); // nothing happens until enumerated

            var first = sequence.Take(3).ToList();
            Assert.Equal(3, first.Count);
        }

        [Fact]
        public void A_server_failure_surfaces_as_the_explained_error_not_as_a_cancellation()
        {
            string dir = _f.NewDirectory();
            Store.AddUser(dir, "x");
            using var connection = QlikSenseConnection.ConnectAsync(EmptySimulatorFixture.Options(_f.Sim, retries: 0)).GetAwaiter().GetResult();
            _f.Sim.Faults.ServerErrorRate = 1;
            try
            {
                var request = new UserActivityRequest(connection) { UserDirectories = new[] { dir } };
                var ex = Assert.Throws<QrsException>(() => UserActivityReader.Read(new RecordingHost(), request).ToList());
                Assert.Equal(QrsErrorIds.ServerError, ex.ErrorId);
            }
            finally
            {
                _f.Sim.Faults.Clear();
            }
        }

        [Fact]
        public void Ctrl_c_cancels_the_read()
        {
            string dir = _f.NewDirectory();
            Store.AddUser(dir, "y");
            _f.Sim.Faults.Latency = TimeSpan.FromSeconds(30);
            try
            {
                var host = new RecordingHost();
                host.CancelAfter(TimeSpan.FromMilliseconds(300));
                Assert.ThrowsAny<OperationCanceledException>(() => UserActivityReader.Read(host, Request(dir)).ToList());
            }
            finally
            {
                _f.Sim.Faults.Clear();
            }
        }

        [Fact]
        public async Task It_reads_the_same_through_a_jwt_virtual_proxy()
        {
            string dir = _f.NewDirectory();
            var gus = Store.AddUser(dir, "gus");
            Store.AddLicenseRecord("user", gus, AsOf.AddDays(-30));
            var options = EmptySimulatorFixture.Options(_f.Sim);
            options.CertificateFolder = null;
            options.AuthenticationMode = AuthenticationMode.Jwt;
            options.Port = _f.Sim.ProxyPort;
            options.VirtualProxy = "jwt";
            options.Jwt = new QrsSecret(_f.Sim.CreateJwt("INTERNAL", "sa_api"));
            options.RootCertificatePath = System.IO.Path.Combine(_f.Sim.CertificateDirectory, "root.pem");
            using var connection = await QlikSenseConnection.ConnectAsync(options);

            var result = Assert.Single(UserActivityReader.Read(new RecordingHost(), new UserActivityRequest(connection) { UserDirectories = new[] { dir }, AsOf = AsOf }));

            Assert.Equal(30, result.DaysInactive);
            Assert.Equal("30", result.Bucket);
        }

        private sealed class RecordingUris : System.Net.Http.DelegatingHandler
        {
            private readonly System.Collections.Concurrent.ConcurrentQueue<Uri> _uris;

            public RecordingUris(System.Net.Http.HttpMessageHandler inner, System.Collections.Concurrent.ConcurrentQueue<Uri> uris)
                : base(inner)
            {
                _uris = uris;
            }

            protected override Task<System.Net.Http.HttpResponseMessage> SendAsync(System.Net.Http.HttpRequestMessage request, CancellationToken cancellationToken)
            {
                _uris.Enqueue(request.RequestUri!);
                return base.SendAsync(request, cancellationToken);
            }
        }

        private List<UserActivity> Read(string directory, Action<UserActivityRequest>? configure = null) => Read(new[] { directory }, configure);

        private List<UserActivity> Read(string[] directories, Action<UserActivityRequest>? configure = null)
        {
            var request = new UserActivityRequest(_f.Connection) { UserDirectories = directories, AsOf = AsOf };
            configure?.Invoke(request);
            return UserActivityReader.Read(new RecordingHost(), request).ToList();
        }

        private UserActivityRequest Request(string directory) =>
            new UserActivityRequest(_f.Connection) { UserDirectories = new[] { directory }, AsOf = AsOf };
    }

    /// <summary>Whole seeded sites, checked against an independent reading of the simulator's own data.</summary>
    [Trait("Category", "Integration")]
    public sealed class SeededSiteActivityTests
    {
        [Fact]
        public async Task Every_user_of_a_seeded_site_gets_the_latest_date_the_store_holds()
        {
            await using var sim = await QrsSimulator.SimulatedQrs.StartAsync(new QrsSimulatorOptions { Users = 3000, Seed = 11, Now = SimulatorFixture.Now });
            using var connection = await QlikSenseConnection.ConnectAsync(EmptySimulatorFixture.Options(sim));
            var before = connection.Client.RequestCounts.Snapshot();
            var host = new RecordingHost();

            var results = UserActivityReader.Read(host, new UserActivityRequest(connection) { AsOf = SimulatorFixture.Now }).ToList();

            // The expectation, computed from the store without our code: latest real date per user.
            var expected = new Dictionary<Guid, DateTime?>();
            long withoutUser = 0;
            foreach (var path in QrsEntityTypes.LicensePaths.Values)
            {
                string field = path.EndsWith("usage", StringComparison.Ordinal) ? "latestActivity" : "lastUsed";
                foreach (var record in sim.Store.Entities(path))
                {
                    if (record["user"] is not JsonObject user)
                    {
                        withoutUser++;
                        continue;
                    }

                    var id = Guid.Parse((string)user["id"]!);
                    var date = DateTime.Parse((string)record[field]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
                    DateTime? used = date.Year <= 1753 ? null : date;
                    expected[id] = expected.TryGetValue(id, out var known) && known > used ? known : used ?? known;
                }
            }

            var users = sim.Store.Users();
            Assert.Equal(users.Count, results.Count);
            Assert.True(withoutUser > 0, "the seeded site has records of deleted users");
            Assert.True(results.Count(r => !r.HasLicenseRecord) > 0, "the seeded site has users without records");
            Assert.True(results.Count(r => r.HasLicenseRecord && r.LastActivity == null) > 0, "the seeded site has never-used records");
            foreach (var r in results)
            {
                if (expected.TryGetValue(r.Id, out var last))
                {
                    Assert.True(r.HasLicenseRecord);
                    Assert.Equal(last, r.LastActivity);
                    Assert.Equal(last == null ? BucketSet.NeverLabel : BucketSet.Default.Assign((SimulatorFixture.Now.Date - last.Value.Date).Days), r.Bucket);
                }
                else
                {
                    Assert.False(r.HasLicenseRecord);
                }
            }

            Assert.Contains(host.Verbose, v => v.Contains($"without a user, left out") && !v.Contains(" 0 without a user"));
            // Five license lists and the user list, each with its count: twelve requests.
            var sent = connection.Client.RequestCounts.Since(before);
            Assert.Equal(12, sent.Get);
            Assert.Equal(0, sent.Put + sent.Post + sent.Delete);
        }
    }
}
