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
        public void A_session_start_has_butler_sos_tags_sorted_by_key_and_fields()
        {
            string line = Line(SampleEvents.SessionStart());
            Assert.Equal(
                "user_events,appId=e7af59a0-c243-480d-9571-08727551a66f,appName=Sales\\,\\ \"2024\",event_action=Start\\ session,host=sense1.lab.local,origin=AppAccess," +
                "uaBrowserMajorVersion=120,uaBrowserName=Chrome,uaOsName=Windows,uaOsVersion=NT\\ 10.0,userDirectory=LAB,userFull=LAB\\anna,userId=anna " +
                "userFull=\"LAB\\\\anna\",userId=\"anna\",appId=\"e7af59a0-c243-480d-9571-08727551a66f\",appName=\"Sales, \\\"2024\\\"\" 1731691683548000000\n",
                line);
        }

        [Fact]
        public void Empty_origin_app_and_user_agent_are_left_out()
        {
            string line = Line(SampleEvents.SessionStop());
            Assert.Equal(
                "user_events,event_action=Stop\\ session,host=sense1.lab.local,userDirectory=LAB,userFull=LAB\\anna,userId=anna " +
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
            Assert.Equal("user_events,event_action=Stop\\ session,host=sense1.lab.local userFull=\"\",userId=\"\" 1731691683548000000\n", line);
        }

        [Fact]
        public void Custom_tags_are_merged_in_key_order_destination_tags_win_and_built_in_tags_cannot_be_replaced()
        {
            var e = SampleEvents.SessionStop().WithTags(("qs_env", "dev"), ("site", "from event"), ("host", "spoofed"), ("Zone", "z"));
            string line = Line(e, new[] { new KeyValuePair<string, string>("site", "oslo dc") }, "qs events");
            Assert.Equal(
                "qs\\ events,Zone=z,event_action=Stop\\ session,host=sense1.lab.local,qs_env=dev,site=oslo\\ dc,userDirectory=LAB,userFull=LAB\\anna,userId=anna " +
                "userFull=\"LAB\\\\anna\",userId=\"anna\" 1731691683548000000\n",
                line);
        }

        [Fact]
        public void Events_with_other_tags_get_their_own_order()
        {
            using var w = new LineProtocolWriter();
            var format = new UserEventPointFormat("m", null);
            format.Write(w, SampleEvents.SessionStop().WithTags(("b", "1")), 1);
            format.Write(w, SampleEvents.SessionStop().WithTags(("zz", "2")), 2);
            format.Write(w, SampleEvents.SessionStop(), 3);
            var lines = Encoding.UTF8.GetString(w.Buffer, 0, w.Length).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("m,b=1,event_action=", lines[0]);
            Assert.Contains(",userId=anna,zz=2 ", lines[1]);
            Assert.DoesNotContain("zz", lines[2]);
            Assert.DoesNotContain("b=1", lines[2]);
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

        [Fact]
        public void The_device_type_is_an_extra_uaDeviceType_tag_in_key_order()
        {
            UserEvent e = SampleEvents.SessionStart();
            e.DeviceType = "tablet";

            string line = Line(e);
            Assert.Contains(",uaBrowserName=Chrome,uaDeviceType=tablet,uaOsName=Windows,", line);
            Assert.DoesNotContain("uaDeviceType", Line(SampleEvents.SessionStart()));
            Assert.Throws<ArgumentException>(() => Line(e, new[] { new KeyValuePair<string, string>("uaDeviceType", "x") }));
        }
    }
}
