namespace QlikActivity.Core.Destinations.Webhooks
{
    /// <summary>What a webhook destination posts.</summary>
    public enum WebhookFormat
    {
        /// <summary>A JSON array of events, with the keys of Butler SOS's MQTT payload plus time and type.</summary>
        Json,
        /// <summary>A readable Slack message (<c>{"text": ...}</c>), one line per event.</summary>
        Slack,
        /// <summary>A Microsoft Teams Adaptive Card, one block per event.</summary>
        Teams,
    }
}
