using System;
using System.Collections.Generic;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// One batch of the MQTT destination, per slot (event × {main topic, type topic}): written at least
    /// once, and done (acknowledged at QoS 1, or no topic to publish to). A retry of the same batch
    /// resumes from it, and when the batch is given up it tells how many events did arrive.
    /// </summary>
    internal sealed class MqttPendingBatch
    {
        private readonly UserEvent? _first;
        private readonly UserEvent? _last;

        public MqttPendingBatch(IReadOnlyList<UserEvent> batch)
        {
            Count = batch.Count;
            _first = Count > 0 ? batch[0] : null;
            _last = Count > 0 ? batch[Count - 1] : null;
            Done = new bool[Count * 2];
            Written = new bool[Count * 2];
        }

        public int Count { get; }

        public bool[] Done { get; }

        public bool[] Written { get; }

        public bool Matches(IReadOnlyList<UserEvent> batch) =>
            batch.Count == Count && (Count == 0 || (ReferenceEquals(batch[0], _first) && ReferenceEquals(batch[Count - 1], _last)));

        /// <summary>
        /// Events every publish of which is done; at QoS 0 (<paramref name="acknowledged"/> false) a publish
        /// written to the connection is as far as anyone can know.
        /// </summary>
        public int DeliveredEvents(bool acknowledged)
        {
            var slots = acknowledged ? Done : Written;
            int delivered = 0;
            for (int i = 0; i < Count; i++)
            {
                if ((slots[2 * i] || Done[2 * i]) && (slots[(2 * i) + 1] || Done[(2 * i) + 1]))
                {
                    delivered++;
                }
            }

            return delivered;
        }
    }
}
