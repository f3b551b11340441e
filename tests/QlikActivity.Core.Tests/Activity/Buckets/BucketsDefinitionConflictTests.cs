using System;
using System.Threading.Tasks;
using QlikActivity.Core.Activity;
using QlikActivity.Core.Qrs;
using Xunit;

namespace QlikActivity.Core.Tests.Activity.Buckets
{
    /// <summary>
    /// -Force replaces a wrong definition with a PUT; when someone edits the definition in between, the PUT
    /// meets a 409 and the run re-reads the definition, keeps the other admin's edit and replaces the choice values again.
    /// </summary>
    [Trait("Category", "Integration")]
    public class BucketsDefinitionConflictTests
    {
        private static readonly string[] Buckets = { "1", "7", "14", "30", "90", "180", "365", "365+" };

        [Fact]
        public async Task A_409_on_the_definition_is_met_by_reading_it_again_and_the_other_edit_is_kept()
        {
            await using var site = await BucketSite.StartAsync();
            var id = site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "365++" }, new[] { "User" }, "Days since last use");
            var anna = site.AddUser("LAB", "anna", ("professional", 3));
            site.Sim.Faults.DefinitionConflicts = 1;
            site.Sim.Requests.Clear();

            var request = site.Request();
            request.Force = true;
            var (_, summary) = BucketSite.Run(new RecordingHost(), request);

            Assert.Equal(CustomPropertyDefinitionAction.Replaced, summary.DefinitionAction);
            var definition = site.Definition()!;
            Assert.Equal(Buckets, site.ChoiceValues());
            Assert.Equal("Days since last use (edited meanwhile)", (string?)definition["description"]);
            Assert.Equal(2, site.Sim.Requests.Count("PUT", "/qrs/custompropertydefinition/"));
            Assert.Equal(1, site.Sim.Requests.Count("PUT", "/qrs/custompropertydefinition/", 409));
            Assert.Equal(1, site.Sim.Requests.Count("GET", "/qrs/custompropertydefinition/" + id.ToString("D")));
            Assert.Equal(new[] { "7" }, site.Values(anna));
            Assert.Equal(1, summary.Updated);
        }

        [Fact]
        public async Task A_definition_that_keeps_changing_stops_the_run_before_any_user_is_written()
        {
            await using var site = await BucketSite.StartAsync();
            site.Store.AddCustomPropertyDefinition("Activity", new[] { "1", "7", "365++" }, new[] { "User" }, "Days since last use");
            var anna = site.AddUser("LAB", "anna", ("professional", 3));
            site.Sim.Faults.DefinitionConflicts = 10;
            site.Sim.Requests.Clear();

            var request = site.Request();
            request.Force = true;
            var ex = Assert.ThrowsAny<Exception>(() => BucketSite.Run(new RecordingHost(), request));

            // Three attempts, each met by a 409; no user PUT after the definition could not be set.
            Assert.Equal(3, site.Sim.Requests.Count("PUT", "/qrs/custompropertydefinition/", 409));
            Assert.Equal(0, site.Sim.Requests.Count("PUT", "/qrs/user/"));
            Assert.Empty(site.Values(anna));
            Assert.Contains("409", ex.ToString());
        }
    }
}
