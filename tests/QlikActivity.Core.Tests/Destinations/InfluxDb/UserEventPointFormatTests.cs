using System;
using System.Collections.Generic;
using System.Text;
using QlikActivity.Core.Destinations.InfluxDb;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.InfluxDb
{
    public class UserEventPointFormatTests
    {
        private static string Line(UserEvent e, IEnumerable<KeyValuePair<string, string>>? tags = null, string measurement = "user_events")
        {
            using var w = new LineProtocolWriter();
            new UserEventPointFormat(measurement, tags).Write(w, e, 1731691683548000000);
            return Encoding.UTF8.GetString(w.Buffer, 0, w.Length);
        }

        [Fact]
        public void A_session_start_has_butler_sos_tags_and_fields()
        {
            string line = Line(SampleEvents.SessionStart());
            Assert.Equal(
                "user_events,host=sense1.lab.local,event_action=Start\\ session,userFull=LAB\\anna,userDirectory=LAB,userId=anna,origin=AppAccess," +
                "appId=e7af59a0-c243-480d-9571-08727551a66f,appName=Sales\\,\\ \"2024\",uaBrowserName=Chrome,uaBrowserMajorVersion=120," +
                "uaOsName=Windows,uaOsVersion=NT\\ 10.0 " +
                "userFull=\"LAB\\\\anna\",userId=\"anna\",appId=\"e7af59a0-c243-480d-9571-08727551a66f\",appName=\"Sales, \\\"2024\\\"\" 1731691683548000000\n",
                line);
        }

        [Fact]
        public void Empty_origin_app_and_user_agent_are_left_out()
        {
            string line = Line(SampleEvents.SessionStop());
            Assert.Equal(
                "user_events,host=sense1.lab.local,event_action=Stop\\ session,userFull=LAB\\anna,userDirectory=LAB,userId=anna " +
                "userFull=\"LAB\\\\anna\",userId=\"anna\" 1731691683548000000\n",
                line);
        }

        [Fact]
        public void Without_a_user_userFull_is_not_a_tag_and_the_point_still_has_fields()
        {
            var e = SampleEvents.SessionStop();
            e.UserDirectory = "";
            e.UserId = "";
            string line = Line(e);
            Assert.Equal("user_events,host=sense1.lab.local,event_action=Stop\\ session userFull=\"\",userId=\"\" 1731691683548000000\n", line);
        }

        [Fact]
        public void Custom_tags_follow_the_event_tags_and_win_on_a_clash_while_built_in_tags_cannot_be_replaced()
        {
            var e = SampleEvents.SessionStop().WithTags(("qs_env", "dev"), ("site", "from event"), ("host", "spoofed"));
            string line = Line(e, new[] { new KeyValuePair<string, string>("site", "oslo dc") }, "qs events");
            Assert.StartsWith("qs\\ events,host=sense1.lab.local,", line);
            Assert.Contains(",userId=anna,qs_env=dev,site=oslo\\ dc userFull=", line);
            Assert.DoesNotContain("spoofed", line);
            Assert.DoesNotContain("from event", line);
        }

        [Fact]
        public void A_destination_tag_named_like_a_built_in_tag_is_refused()
        {
            var ex = Assert.Throws<ArgumentException>(() => new UserEventPointFormat("user_events", new[] { new KeyValuePair<string, string>("userId", "x") }));
            Assert.Contains("userId", ex.Message);
        }

        [Fact]
        public void Awkward_user_ids_are_escaped_in_tags_and_fields()
        {
            string line = Line(SampleEvents.SessionStop("o'brien, jr=\"x\" Ødegård"));
            Assert.Contains(",userFull=LAB\\o'brien\\,\\ jr\\=\"x\"\\ Ødegård,", line);
            Assert.Contains(",userId=o'brien\\,\\ jr\\=\"x\"\\ Ødegård ", line);
            Assert.Contains(" userFull=\"LAB\\\\o'brien, jr=\\\"x\\\" Ødegård\",userId=\"o'brien, jr=\\\"x\\\" Ødegård\" ", line);
        }
    }
}
