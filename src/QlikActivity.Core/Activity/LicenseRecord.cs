using System;
using System.Text.Json.Serialization;

namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// The fields of a license access type or usage record that activity needs; everything
    /// else (sessions, privileges, ...) is skipped while streaming.
    /// </summary>
    internal sealed class LicenseRecord
    {
        [JsonPropertyName("id")]
        public Guid Id { get; set; }

        /// <summary>Null for a user who was deleted (then <see cref="DeletedUserId"/> says who it was).</summary>
        [JsonPropertyName("user")]
        public UserRecord? User { get; set; }

        /// <summary>Access types (professional, analyzer, user).</summary>
        [JsonPropertyName("lastUsed")]
        public DateTimeOffset? LastUsed { get; set; }

        /// <summary>Usages (login, analyzer time).</summary>
        [JsonPropertyName("latestActivity")]
        public DateTimeOffset? LatestActivity { get; set; }

        [JsonPropertyName("quarantined")]
        public bool Quarantined { get; set; }

        [JsonPropertyName("deletedUserDirectory")]
        public string? DeletedUserDirectory { get; set; }

        [JsonPropertyName("deletedUserId")]
        public string? DeletedUserId { get; set; }
    }

    /// <summary>A condensed user, as <c>/qrs/user</c> lists it and license records embed it.</summary>
    internal sealed class UserRecord
    {
        [JsonPropertyName("id")]
        public Guid Id { get; set; }

        [JsonPropertyName("userDirectory")]
        public string? UserDirectory { get; set; }

        [JsonPropertyName("userId")]
        public string? UserId { get; set; }

        [JsonPropertyName("name")]
        public string? Name { get; set; }
    }
}
