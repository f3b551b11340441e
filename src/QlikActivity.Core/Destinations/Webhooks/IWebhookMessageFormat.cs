using System.Collections.Generic;
using System.IO;

namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>Builds the body of one webhook request for a run of events. No I/O.</summary>
    internal interface IWebhookMessageFormat
    {
        /// <summary>Largest body the service takes; a longer batch is sent as several requests.</summary>
        int MaxBytes { get; }

        void Write(Stream output, IReadOnlyList<UserEvent> batch, int start, int count);
    }
}
