using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using QlikActivity.Core.Destinations.NewRelic;
using Xunit;

namespace QlikActivity.Core.Tests.Destinations.NewRelic
{
    public class NewRelicEventFormatTests
    {
        private static JsonElement[] Events(NewRelicEventFormat format, params UserEvent[] events)
        {
            using var stream = new MemoryStream();
            format.Write(stream, events, 0, events.Length);
            using var doc = JsonDocument.Parse(stream.ToArray());
            return doc.RootElement.EnumerateArray().Select(e => e.Clone()).ToArray();
        }

        private static Dictionary<string, string> Strings(JsonElement e) =>
            e.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String).ToDictionary(p => p.Name, p => p.Value.GetString()!);

        [Fact]
        public void A_session_start_becomes_a_qs_userEvent_with_qs_attributes()
        {
            var e = Events(new NewRelicEventFormat(null, null), SampleEvents.SessionStart())[0];
            Assert.Equal(1731691683548, e.GetProperty("timestamp").GetInt64());
            Assert.Equal(new Dictionary<string, string>
            {
                ["eventType"] = "qs_userEvent",
                ["qs_host"] = "sense1.lab.local",
                ["qs_event_action"] = "Start session",
                ["qs_userFull"] = "LAB\\anna",
                ["qs_userDirectory"] = "LAB",
                ["qs_userId"] = "anna",
                ["qs_origin"] = "AppAccess",
                ["qs_appId"] = SampleEvents.AppId.ToString(),
                ["qs_appName"] = "Sales, \"2024\"",
                ["qs_uaBrowserName"] = "Chrome",
                ["qs_uaBrowserMajorVersion"] = "120",
                ["qs_uaOsName"] = "Windows",
                ["qs_uaOsVersion"] = "NT 10.0",
            }, Strings(e));
        }

        [Fact]
        public void Unknown_app_and_client_are_left_out_but_butler_sos_attributes_are_always_there()
        {
            var e = Events(new NewRelicEventFormat(null, null), SampleEvents.SessionStop())[0];
            Assert.Equal(
                new[] { "eventType", "timestamp", "qs_host", "qs_event_action", "qs_userFull", "qs_userDirectory", "qs_userId", "qs_origin" },
                e.EnumerateObject().Select(p => p.Name).ToArray());
            Assert.Equal("", e.GetProperty("qs_origin").GetString());
        }

        [Fact]
        public void Scrambled_user_names_are_salted_hmac_sha256_pseudonyms_and_stable_per_salt()
        {
            byte[] salt = Encoding.UTF8.GetBytes("site salt");
            using var scrambler = new UserNameScrambler(salt);
            var format = new NewRelicEventFormat(null, scrambler);
            var events = Events(format, SampleEvents.SessionStart("anna"), SampleEvents.SessionStop("anna"), SampleEvents.SessionStart("bob"));

            using var hmac = new HMACSHA256(salt);
            string Expected(string s) => Convert.ToHexString(hmac.ComputeHash(Encoding.UTF8.GetBytes(s))).Substring(0, 16).ToLowerInvariant();
            Assert.Equal(Expected("LAB\\anna"), events[0].GetProperty("qs_userFull").GetString());
            Assert.Equal(Expected("LAB"), events[0].GetProperty("qs_userDirectory").GetString());
            Assert.Equal(Expected("anna"), events[0].GetProperty("qs_userId").GetString());
            Assert.Equal(events[0].GetProperty("qs_userId").GetString(), events[1].GetProperty("qs_userId").GetString());
            Assert.NotEqual(events[0].GetProperty("qs_userId").GetString(), events[2].GetProperty("qs_userId").GetString());
            Assert.Equal("sense1.lab.local", events[0].GetProperty("qs_host").GetString());
            Assert.DoesNotContain("anna", events[0].GetRawText());

            using var other = new UserNameScrambler(Encoding.UTF8.GetBytes("another salt"));
            var elsewhere = Events(new NewRelicEventFormat(null, other), SampleEvents.SessionStart("anna"))[0];
            Assert.NotEqual(events[0].GetProperty("qs_userId").GetString(), elsewhere.GetProperty("qs_userId").GetString());
            Assert.Matches("^[0-9a-f]{16}$", elsewhere.GetProperty("qs_userId").GetString());
        }

        [Fact]
        public void Custom_attributes_follow_event_tags_and_cannot_replace_built_in_ones()
        {
            var format = new NewRelicEventFormat(new[] { new KeyValuePair<string, string>("site", "oslo") }, null);
            var e = Events(format, SampleEvents.SessionStop().WithTags(("qs_env", "dev"), ("site", "event"), ("qs_host", "spoofed")))[0];
            Assert.Equal("dev", e.GetProperty("qs_env").GetString());
            Assert.Equal("oslo", e.GetProperty("site").GetString());
            Assert.Equal("sense1.lab.local", e.GetProperty("qs_host").GetString());
            Assert.Single(e.EnumerateObject(), p => p.Name == "site");

            Assert.Throws<ArgumentException>(() => new NewRelicEventFormat(new[] { new KeyValuePair<string, string>("eventType", "x") }, null));
        }

        [Fact]
        public void Values_are_cut_at_the_event_api_limit_without_splitting_a_surrogate_pair()
        {
            var e = SampleEvents.SessionStart();
            e.AppName = new string('a', 4095) + "😀" + "tail";
            var json = Events(new NewRelicEventFormat(null, null), e)[0];
            Assert.Equal(new string('a', 4095), json.GetProperty("qs_appName").GetString());

            e.AppName = new string('b', 5000);
            json = Events(new NewRelicEventFormat(null, null), e)[0];
            Assert.Equal(NewRelicEventFormat.MaxValueLength, json.GetProperty("qs_appName").GetString()!.Length);
        }

        [Fact]
        public void The_device_type_is_an_extra_qs_uaDeviceType_attribute()
        {
            UserEvent start = SampleEvents.SessionStart();
            start.DeviceType = "desktop";

            var e = Events(new NewRelicEventFormat(null, null), start, SampleEvents.SessionStop());
            Assert.Equal("desktop", Strings(e[0])["qs_uaDeviceType"]);
            Assert.False(Strings(e[1]).ContainsKey("qs_uaDeviceType"));
            Assert.Contains("qs_uaDeviceType", NewRelicEventFormat.BuiltInAttributes);
        }
    }
}
