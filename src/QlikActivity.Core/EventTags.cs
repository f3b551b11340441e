using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;

namespace QlikActivity.Core
{
    /// <summary>
    /// The tags a listener adds to every event (<c>-Tag</c>): read-only, and written as
    /// <c>key=value; key=value</c> wherever PowerShell turns them into a string (Export-Csv, ConvertTo-Csv,
    /// "$($e.Tags)"), where a plain dictionary would give only its type name. Format-List still shows
    /// the pairs as a collection.
    /// </summary>
    public sealed class EventTags : ReadOnlyDictionary<string, string>
    {
        /// <summary>No tags.</summary>
        public static readonly EventTags None = new EventTags(new Dictionary<string, string>());

        /// <summary>A read-only copy of <paramref name="tags"/>, in their order.</summary>
        public EventTags(IEnumerable<KeyValuePair<string, string>> tags)
            : base(tags.ToDictionary(p => p.Key, p => p.Value))
        {
        }

        public override string ToString() => string.Join("; ", this.Select(p => p.Key + "=" + p.Value));
    }
}
