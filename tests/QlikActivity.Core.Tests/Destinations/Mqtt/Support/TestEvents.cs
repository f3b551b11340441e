using System;
using System.Globalization;
using System.Text.Json;
using System.Threading.Tasks;

namespace QlikActivity.Core.Tests.Destinations.Mqtt.Support
{
    /// <summary>Numbered user events of every type, and a way to read the number back from a payload.</summary>
    public static class TestEvents
    {
        private static readonly string[] Commands = { "Start session", "Stop session", "Open connection", "Close connection" };

        /// <summary>Event number <paramref name="n"/>; the type cycles through the four, the number is in the user id.</summary>
        public static UserEvent Numbered(int n)
        {
            var type = (UserEventType)(n % 4);
            bool session = type == UserEventType.SessionStart || type == UserEventType.SessionStop;
            return new UserEvent
            {
                ReceivedAt = DateTime.UtcNow,
                Source = "127.0.0.1",
                MessageType = session ? "qseow-proxy-session" : "qseow-proxy-connection",
                Host = "qs-node1.lab.example",
                EventType = type,
                Command = Commands[(int)type],
                UserDirectory = "LAB",
                UserId = "user" + n.ToString(CultureInfo.InvariantCulture),
                Origin = "AppAccess",
                Context = "/app/3f2504e0-4f89-41d3-9a0c-0305e82c3301",
                AppId = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
                Message = $"{Commands[(int)type]} for user 'LAB\\user{n}' UserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36'",
                BrowserName = "Chrome",
                BrowserMajorVersion = "124",
                OsName = "Windows",
                OsVersion = "10",
            };
        }

        /// <summary>The number in a payload's userId (as written by <see cref="Numbered"/>).</summary>
        public static int NumberOf(byte[] payload)
        {
            var reader = new Utf8JsonReader(payload);
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("userId"))
                {
                    reader.Read();
                    return int.Parse(reader.GetString()!.Substring(4), CultureInfo.InvariantCulture);
                }
            }

            throw new FormatException("The payload has no userId.");
        }

        /// <summary>Polls <paramref name="condition"/> (for counters that raise no event) until true or the timeout.</summary>
        public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Waited {timeout.TotalSeconds:0} s in vain: {describe()}");
                }

                await Task.Delay(20).ConfigureAwait(false);
            }
        }
    }
}
