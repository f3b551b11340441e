using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using QlikActivity.Core.Destinations.Mqtt;

namespace QlikActivity.Core.Tests.Destinations.Mqtt.Support
{
    /// <summary>
    /// A subscriber written with our own protocol code, so the tests need nothing but mosquitto:
    /// it records what the broker delivers and lets a test await a number of messages.
    /// </summary>
    internal sealed class MqttTestSubscriber : IAsyncDisposable
    {
        private readonly MqttConnectionSettings _settings;
        private readonly string _filter;
        private readonly bool _keepMessages;
        private readonly MqttQualityOfService _qos;
        private readonly ConcurrentQueue<MqttReceivedMessage> _messages = new ConcurrentQueue<MqttReceivedMessage>();
        private readonly ConcurrentDictionary<string, long> _perTopic = new ConcurrentDictionary<string, long>();
        private readonly List<(long Count, TaskCompletionSource<bool> Reached)> _waiters = new List<(long, TaskCompletionSource<bool>)>();
        private MqttConnection? _connection;
        private long _count;

        private MqttTestSubscriber(MqttConnectionSettings settings, string filter, bool keepMessages, MqttQualityOfService qos)
        {
            _qos = qos;
            _settings = settings;
            _filter = filter;
            _keepMessages = keepMessages;
            _settings.OnMessage = OnMessage;
        }

        /// <summary>Messages received (duplicates included).</summary>
        public long Count => Interlocked.Read(ref _count);

        public IReadOnlyCollection<MqttReceivedMessage> Messages => _messages.ToArray();

        public long CountFor(string topic) => _perTopic.TryGetValue(topic, out var n) ? n : 0;

        /// <summary>
        /// Connects and subscribes (at QoS 1 unless told otherwise). With <paramref name="persistentSession"/> the broker keeps the
        /// subscription and queues messages while this subscriber is away (clean session = 0).
        /// </summary>
        public static async Task<MqttTestSubscriber> ConnectAsync(int port, string filter = "#", bool persistentSession = false,
            bool keepMessages = true, Action<MqttConnectionSettings>? configure = null, int qos = 1)
        {
            var settings = new MqttConnectionSettings
            {
                Host = "127.0.0.1",
                Port = port,
                ClientId = "test-subscriber-" + Guid.NewGuid().ToString("N").Substring(0, 8),
                CleanSession = !persistentSession,
                KeepAliveSeconds = 60,
                ConnectTimeout = TimeSpan.FromSeconds(30),
            };
            configure?.Invoke(settings);
            var subscriber = new MqttTestSubscriber(settings, filter, keepMessages, (MqttQualityOfService)qos);
            await subscriber.OpenAsync().ConfigureAwait(false);
            return subscriber;
        }

        /// <summary>Connects again (after the broker restarted), retrying until the broker answers.</summary>
        public async Task ReconnectAsync(TimeSpan timeout)
        {
            if (_connection != null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
                _connection = null;
            }

            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                try
                {
                    await OpenAsync().ConfigureAwait(false);
                    return;
                }
                catch (MqttConnectionException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50).ConfigureAwait(false);
                }
            }
        }

        /// <summary>Completes when at least <paramref name="count"/> messages have arrived; fails after <paramref name="timeout"/> saying how many did.</summary>
        public async Task WaitForCountAsync(long count, TimeSpan timeout)
        {
            TaskCompletionSource<bool> reached;
            lock (_waiters)
            {
                if (Count >= count)
                {
                    return;
                }

                reached = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((count, reached));
            }

            if (await Task.WhenAny(reached.Task, Task.Delay(timeout)).ConfigureAwait(false) != reached.Task)
            {
                throw new TimeoutException($"The subscriber received {Count} of {count} messages within {timeout.TotalSeconds:0} s.");
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection != null)
            {
                await _connection.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async Task OpenAsync()
        {
            _connection = await MqttConnection.OpenAsync(_settings, CancellationToken.None).ConfigureAwait(false);
            await _connection.SubscribeAsync(_filter, _qos, CancellationToken.None).ConfigureAwait(false);
        }

        private void OnMessage(MqttReceivedMessage message)
        {
            if (_keepMessages)
            {
                _messages.Enqueue(message);
            }

            _perTopic.AddOrUpdate(message.Topic, 1, (_, n) => n + 1);
            long count = Interlocked.Increment(ref _count);
            lock (_waiters)
            {
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (count >= _waiters[i].Count)
                    {
                        _waiters[i].Reached.TrySetResult(true);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }
    }
}
