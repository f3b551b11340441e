using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;

namespace QlikActivity.Core.Events
{
    /// <summary>
    /// Which datagrams and events the listener keeps: senders (<c>-AllowedSource</c>: addresses,
    /// CIDR ranges or host names resolved once at start), users to leave out (<c>-ExcludeUser</c>
    /// wildcards) and event types (<c>-EventType</c>).
    /// </summary>
    public sealed class UserEventFilter
    {
        private readonly UserPattern[] _excluded;
        private readonly bool[] _types;
        private readonly AddressRange[] _allowed;

        public UserEventFilter(IEnumerable<UserPattern>? excludeUsers, IEnumerable<UserEventType>? eventTypes, IEnumerable<AddressRange>? allowedSources)
        {
            _excluded = excludeUsers?.ToArray() ?? Array.Empty<UserPattern>();
            _allowed = allowedSources?.ToArray() ?? Array.Empty<AddressRange>();
            var types = eventTypes?.ToArray();
            _types = new bool[4];
            foreach (UserEventType t in Enum.GetValues(typeof(UserEventType)))
            {
                _types[(int)t] = types == null || types.Length == 0 || types.Contains(t);
            }
        }

        /// <summary>Keeps everything.</summary>
        public static UserEventFilter All { get; } = new UserEventFilter(null, null, null);

        /// <summary>
        /// Builds a filter from what an admin typed. Host names in <paramref name="allowedSources"/>
        /// are resolved with <paramref name="resolve"/> (DNS by default). Throws
        /// <see cref="QlikActivityException"/> naming the entry that is wrong.
        /// </summary>
        public static UserEventFilter Create(
            IEnumerable<string>? excludeUsers,
            IEnumerable<UserEventType>? eventTypes,
            IEnumerable<string>? allowedSources,
            Func<string, IPAddress[]>? resolve = null)
        {
            var patterns = (excludeUsers ?? Array.Empty<string>()).Select(UserPattern.Parse).ToList();
            var ranges = new List<AddressRange>();
            foreach (string source in allowedSources ?? Array.Empty<string>())
            {
                if (AddressRange.TryParse(source, out var range))
                {
                    ranges.Add(range);
                    continue;
                }

                if (string.IsNullOrWhiteSpace(source) || source.IndexOf('/') >= 0)
                {
                    throw new QlikActivityException(
                        $"The -AllowedSource entry '{source}' is not an address, a CIDR range (10.0.0.0/8) or a host name.",
                        EventErrorIds.InvalidAllowedSource,
                        OperationErrorCategory.InvalidArgument);
                }

                IPAddress[] addresses;
                try
                {
                    addresses = (resolve ?? Dns.GetHostAddresses)(source.Trim());
                }
                catch (SocketException ex)
                {
                    throw new QlikActivityException(
                        $"The -AllowedSource host '{source}' could not be resolved: {ex.Message}",
                        EventErrorIds.AllowedSourceNotResolved,
                        OperationErrorCategory.ObjectNotFound,
                        ex);
                }

                if (addresses.Length == 0)
                {
                    throw new QlikActivityException(
                        $"The -AllowedSource host '{source}' resolved to no address.",
                        EventErrorIds.AllowedSourceNotResolved,
                        OperationErrorCategory.ObjectNotFound);
                }

                foreach (var address in addresses)
                {
                    // An address's own text always parses as a single-address range.
                    _ = AddressRange.TryParse(AddressRange.Normalize(address).ToString(), out var one);
                    ranges.Add(one);
                }
            }

            return new UserEventFilter(patterns, eventTypes, ranges);
        }

        /// <summary>False when every sender is accepted (no <c>-AllowedSource</c>).</summary>
        public bool RestrictsSources => _allowed.Length > 0;

        public IReadOnlyList<AddressRange> AllowedSources => _allowed;

        public IReadOnlyList<UserPattern> ExcludedUsers => _excluded;

        /// <summary>Whether a datagram from <paramref name="source"/> is taken.</summary>
        public bool IsSourceAllowed(IPAddress source)
        {
            if (_allowed.Length == 0)
            {
                return true;
            }

            foreach (var range in _allowed)
            {
                if (range.Contains(source))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether the event is left out: its type is not wanted, or its user matches an exclusion.</summary>
        public bool IsExcluded(UserEvent userEvent)
        {
            int type = (int)userEvent.EventType;
            if (type < 0 || type >= _types.Length || !_types[type])
            {
                return true;
            }

            foreach (var pattern in _excluded)
            {
                if (pattern.IsMatch(userEvent.UserDirectory, userEvent.UserId))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
