using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using QlikActivity.Core.Events;
using QlikActivity.Core.Tests.Activity;
using Xunit;

namespace QlikActivity.Core.Tests.Events
{
    /// <summary>App names from the QRS simulator reach events; failures leave the listener running.</summary>
    [Trait("Category", "Integration")]
    public class AppNamesTests : IClassFixture<EmptySimulatorFixture>
    {
        private readonly EmptySimulatorFixture _f;

        public AppNamesTests(EmptySimulatorFixture fixture) => _f = fixture;

        private static string Open(Guid app, string user) =>
            $"/qseow-proxy-connection/;qs1;Open connection;CORP;{user};AppAccess;/app/{app};Open connection for user 'CORP\\{user}'";

        [Fact]
        public async Task Known_app_gets_its_name_unknown_stays_null_and_a_new_app_is_picked_up()
        {
            string name = "Sales " + Guid.NewGuid().ToString("N").Substring(0, 6);
            var known = _f.Sim.Store.AddApp(name, null);
            var unknown = Guid.NewGuid();
            using var names = new AppNames(_f.Connection, TimeSpan.FromSeconds(1));

            var options = ListenerHarness.Options();
            options.Count = 2;
            options.AppNames = names;
            var (events, _, host) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                Assert.True(await names.FirstAttempt.Task.WaitAsync(ListenerHarness.Patience));
                using var socket = ListenerHarness.Sender(to);
                ListenerHarness.Send(socket, Open(known, "a"));
                ListenerHarness.Send(socket, Open(unknown, "b"));
            });

            Assert.Equal(name, events.Single(e => e.AppId == known).AppName);
            Assert.Null(events.Single(e => e.AppId == unknown).AppName);

            // An app created later is found after a refresh.
            string later = "Later " + Guid.NewGuid().ToString("N").Substring(0, 6);
            var added = _f.Sim.Store.AddApp(later, null);
            Assert.Null(names.Find(added));
            await ListenerHarness.WaitFor(() => names.Find(added) == later, "the refreshed app name");
        }

        [Fact]
        public void A_failing_repository_warns_once_and_the_listener_goes_on()
        {
            int calls = 0;
            using var names = new AppNames(ct =>
            {
                calls++;
                throw new InvalidOperationException("QRS down");
            }, TimeSpan.FromMilliseconds(50));

            var app = Guid.NewGuid();
            var options = ListenerHarness.Options();
            options.Count = 20;
            options.AppNames = names;
            var (events, _, host) = ListenerHarness.Run(options, async (listener, to, h) =>
            {
                await names.FirstAttempt.Task.WaitAsync(ListenerHarness.Patience);
                await ListenerHarness.WaitFor(() => calls >= 3, "several failed loads");
                using var socket = ListenerHarness.Sender(to);
                for (int i = 0; i < 20; i++)
                {
                    ListenerHarness.Send(socket, Open(app, "u" + i));
                }
            });

            Assert.Equal(20, events.Count);
            Assert.All(events, e => Assert.Null(e.AppName));
            Assert.Single(host.Warnings, w => w.Contains("app names", StringComparison.OrdinalIgnoreCase));
        }
    }
}
