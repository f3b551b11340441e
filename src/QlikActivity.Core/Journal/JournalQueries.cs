using System;
using System.Collections.Generic;
using QlikActivity.Core.Qrs;

namespace QlikActivity.Core.Journal
{
    /// <summary>One event read from the journal, with its journal id (the position destinations keep).</summary>
    public sealed class JournaledEvent
    {
        public JournaledEvent(long id, UserEvent userEvent)
        {
            Id = id;
            Event = userEvent;
        }

        public long Id { get; }
        public UserEvent Event { get; }
    }

    /// <summary>Which events <see cref="JournalReader.ReadEvents"/> returns; every filter left null matches all.</summary>
    public sealed class UserEventQuery
    {
        /// <summary>Received at or after (UTC).</summary>
        public DateTime? Since { get; set; }

        /// <summary>Received before (UTC).</summary>
        public DateTime? Until { get; set; }

        /// <summary>User directory, wildcards <c>*</c> and <c>?</c> allowed, case-insensitive.</summary>
        public string? UserDirectory { get; set; }

        /// <summary>User id, wildcards <c>*</c> and <c>?</c> allowed, case-insensitive.</summary>
        public string? UserId { get; set; }

        public IReadOnlyCollection<UserEventType>? EventTypes { get; set; }
        public IReadOnlyCollection<Guid>? AppIds { get; set; }

        /// <summary>Only the newest N of the matching events (still returned oldest first).</summary>
        public int? Last { get; set; }
    }

    /// <summary>Which sessions <see cref="JournalReader.ReadSessions"/> returns.</summary>
    public sealed class UserSessionQuery
    {
        /// <summary>Sessions that started at or after (UTC).</summary>
        public DateTime? Since { get; set; }

        /// <summary>Sessions that started before (UTC).</summary>
        public DateTime? Until { get; set; }

        public string? UserDirectory { get; set; }
        public string? UserId { get; set; }

        /// <summary>Only who is online: sessions without a stop whose last event is within <see cref="SessionTimeout"/> of <see cref="At"/>.</summary>
        public bool Active { get; set; }

        /// <summary>A session with no event for this long is over (default 30 minutes).</summary>
        public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

        /// <summary>"Now" for <see cref="Active"/> and for the duration of open sessions; default the clock.</summary>
        public DateTime? At { get; set; }
    }

    /// <summary>What <see cref="JournalHistory.ReadAppActivity"/> returns.</summary>
    public sealed class AppActivityQuery
    {
        /// <summary>With a connection, every app of the repository is listed (never opened ones too) with its repository name.</summary>
        public QlikSenseConnection? Connection { get; set; }

        /// <summary>Only apps not opened within this many days before <see cref="AsOf"/> (never opened ones included).</summary>
        public int? NotOpenedInDays { get; set; }

        /// <summary>"Now" for <see cref="NotOpenedInDays"/>; default the clock.</summary>
        public DateTime? AsOf { get; set; }
    }

    /// <summary>How a session ended, as far as the journal knows.</summary>
    public enum UserSessionState
    {
        /// <summary>No stop yet and an event within the session timeout.</summary>
        Active,
        /// <summary>Ended by a <c>Stop session</c> event.</summary>
        Stopped,
        /// <summary>No stop, but no event for longer than the session timeout (or a newer start replaced it).</summary>
        TimedOut,
    }

    /// <summary>One app opened in a session.</summary>
    public sealed class SessionApp
    {
        public SessionApp(Guid appId, string? appName)
        {
            AppId = appId;
            AppName = appName;
        }

        public Guid AppId { get; }
        public string? AppName { get; }

        public override string ToString() => AppName ?? AppId.ToString();
    }

    /// <summary>
    /// A session of one user on one proxy host, from its <c>Start session</c> to its
    /// <c>Stop session</c> (PowerShell type name <c>QlikActivity.UserSession</c>).
    /// </summary>
    public sealed class UserSession
    {
        /// <summary>
        /// The journal id of the event that opened the session. Not <c>Id</c>: across the module Id is a
        /// user's repository GUID (UserActivity, ActivityBucketResult).
        /// </summary>
        public long StartEventId { get; set; }

        /// <summary>The proxy host that logged the session.</summary>
        public string ProxyHost { get; set; } = "";
        public string UserDirectory { get; set; } = "";
        public string UserId { get; set; } = "";
        public string UserFull => UserDirectory + "\\" + UserId;
        public DateTime Start { get; set; }
        public DateTime? Stop { get; set; }

        /// <summary>The session's newest event.</summary>
        public DateTime LastEvent { get; set; }

        /// <summary>Stop − start; for an active session now − start; for a timed-out one last event − start.</summary>
        public TimeSpan Duration { get; set; }
        public UserSessionState State { get; set; }

        /// <summary>False when the journal saw no <c>Start session</c> (it began mid-session): <see cref="Start"/> is then the first event seen.</summary>
        public bool StartSeen { get; set; }

        /// <summary>Events of the session in the journal.</summary>
        public long EventCount { get; set; }

        /// <summary>Apps opened during the session, in the order first opened.</summary>
        public IReadOnlyList<SessionApp> Apps { get; set; } = Array.Empty<SessionApp>();
        public string? UserAgent { get; set; }
        public string? BrowserName { get; set; }
        public string? BrowserMajorVersion { get; set; }
        public string? OsName { get; set; }
        public string? OsVersion { get; set; }

        public override string ToString() => $"{UserFull} {Start:o} {State}";
    }

    /// <summary>Use of one app as the journal saw it (PowerShell type name <c>QlikActivity.AppActivity</c>).</summary>
    public sealed class AppActivity
    {
        public Guid AppId { get; set; }

        /// <summary>The name last received with the app's events, if any.</summary>
        public string? AppName { get; set; }

        /// <summary>When the app was last opened; null when never within the journal.</summary>
        public DateTime? LastOpened { get; set; }
        public int DistinctUsers { get; set; }

        /// <summary>Sessions in which the app was opened.</summary>
        public long Sessions { get; set; }

        /// <summary>Times it was opened (session starts and connections on the app).</summary>
        public long Opens { get; set; }

        /// <summary>The journal's oldest event: "never opened" means never since then.</summary>
        public DateTime? JournalStartsAt { get; set; }

        /// <summary>The app's stream in the repository (with a connection); null when unpublished or not read.</summary>
        public string? Stream { get; set; }

        /// <summary>With a connection: whether the repository still has the app (false: deleted since). Null without one.</summary>
        public bool? InRepository { get; set; }

        public override string ToString() => AppName ?? AppId.ToString();
    }

    /// <summary>A user's newest event in the journal (the <c>Session</c> activity source).</summary>
    public sealed class UserLatestEvent
    {
        public UserLatestEvent(string userDirectory, string userId, DateTime lastEventAt)
        {
            UserDirectory = userDirectory;
            UserId = userId;
            LastEventAt = lastEventAt;
        }

        public string UserDirectory { get; }
        public string UserId { get; }
        public DateTime LastEventAt { get; }
    }
}
