using System;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// The PUBACKs one batch waits for. Each QoS 1 PUBLISH of the batch has a slot; the connection's
    /// reader marks a slot when its PUBACK arrives. If the connection is lost, the batch knows which
    /// slots were acknowledged, so the retry re-sends only the others.
    /// </summary>
    internal sealed class MqttBatchDelivery
    {
        private readonly bool[] _acknowledged;
        private readonly TaskCompletionSource<bool> _done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Starts at one for the writer: completion needs every PUBACK AND the writer's "all written".
        private int _outstanding = 1;

        public MqttBatchDelivery(int slots)
        {
            _acknowledged = new bool[slots];
        }

        /// <summary>Completes when every expected PUBACK has arrived; faults when the connection is lost first.</summary>
        public Task Completion => _done.Task;

        public bool IsAcknowledged(int slot) => Volatile.Read(ref _acknowledged[slot]);

        /// <summary>Called before a PUBLISH of this batch is registered for a packet id.</summary>
        public void Expect() => Interlocked.Increment(ref _outstanding);

        public void Acknowledge(int slot)
        {
            Volatile.Write(ref _acknowledged[slot], true);
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                _done.TrySetResult(true);
            }
        }

        /// <summary>The writer has written every PUBLISH of the batch; from now on the last PUBACK completes it.</summary>
        public void AllWritten()
        {
            if (Interlocked.Decrement(ref _outstanding) == 0)
            {
                _done.TrySetResult(true);
            }
        }

        public void Fail(Exception reason) => _done.TrySetException(reason);
    }
}
