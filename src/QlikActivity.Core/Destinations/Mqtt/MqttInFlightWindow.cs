using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>
    /// The QoS 1 PUBLISH packets of one connection that are written and not yet acknowledged: a
    /// bound on how many may be out at once, the packet id of each, and the batch slot its PUBACK
    /// reports to. When the connection fails, every batch still waiting learns why.
    /// </summary>
    [SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "SemaphoreSlim holds no OS handle unless AvailableWaitHandle is read, which this code never does; and a Release can still come from a continuation after the owner is done, which a disposed semaphore would turn into an exception.")]
    internal sealed class MqttInFlightWindow
    {
        private readonly SemaphoreSlim _slots;
        private readonly object _lock = new object();
        private readonly PendingPublish[] _pending = new PendingPublish[MqttProtocol.MaxPacketId + 1];
        private int _nextId;
        private int _count;
        private bool _closed;

        public MqttInFlightWindow(int maxInFlight)
        {
            // Fewer slots than packet ids, so a taken slot always finds a free id.
            int window = Math.Max(1, Math.Min(maxInFlight, MqttProtocol.MaxPacketId - 1024));
            _slots = new SemaphoreSlim(window, window);
        }

        /// <summary>Packets written and not yet acknowledged.</summary>
        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _count;
                }
            }
        }

        /// <summary>Takes a slot if one is free now.</summary>
        public bool TryTakeSlot() => _slots.Wait(0);

        /// <summary>Waits until a PUBACK frees a slot.</summary>
        public Task TakeSlotAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

        /// <summary>
        /// Gives the packet in a taken slot an unused id and remembers whom to tell when it is
        /// acknowledged; false once <see cref="FailAll"/> has closed the window.
        /// </summary>
        public bool TryRegister(MqttBatchDelivery? delivery, int slot, out ushort packetId)
        {
            lock (_lock)
            {
                packetId = 0;
                if (_closed)
                {
                    return false;
                }

                for (int tries = 0; tries < MqttProtocol.MaxPacketId; tries++)
                {
                    _nextId = _nextId >= MqttProtocol.MaxPacketId ? 1 : _nextId + 1;
                    if (!_pending[_nextId].InUse)
                    {
                        delivery?.Expect();
                        _pending[_nextId] = new PendingPublish(delivery, slot);
                        _count++;
                        packetId = (ushort)_nextId;
                        return true;
                    }
                }
            }

            throw new InvalidOperationException("All 65535 MQTT packet ids are in use.");
        }

        /// <summary>A PUBACK arrived: frees the slot and reports to the batch.</summary>
        public void Acknowledge(ushort packetId)
        {
            PendingPublish entry;
            lock (_lock)
            {
                entry = _pending[packetId];
                if (!entry.InUse)
                {
                    // A PUBACK for nothing we sent (e.g. a late duplicate): harmless, ignore it.
                    return;
                }

                _pending[packetId] = default;
                _count--;
            }

            _slots.Release();
            entry.Delivery?.Acknowledge(entry.Slot);
        }

        /// <summary>The connection is gone: forgets every packet, fails the batches they belong to, and takes no more.</summary>
        public void FailAll(Exception failure)
        {
            var waiting = new HashSet<MqttBatchDelivery>();
            lock (_lock)
            {
                _closed = true;
                for (int id = 1; id < _pending.Length; id++)
                {
                    if (_pending[id].InUse)
                    {
                        if (_pending[id].Delivery is { } d)
                        {
                            waiting.Add(d);
                        }

                        _pending[id] = default;
                    }
                }

                _count = 0;
            }

            foreach (var delivery in waiting)
            {
                delivery.Fail(failure);
            }
        }

        private readonly struct PendingPublish
        {
            public PendingPublish(MqttBatchDelivery? delivery, int slot)
            {
                Delivery = delivery;
                Slot = slot;
                InUse = true;
            }

            public MqttBatchDelivery? Delivery { get; }

            public int Slot { get; }

            public bool InUse { get; }
        }
    }
}
