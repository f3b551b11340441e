namespace QlikActivity.Core.Destinations.NewRelic
{
    /// <summary>The New Relic data center an account reports to.</summary>
    public enum NewRelicRegion
    {
        /// <summary><c>https://insights-collector.newrelic.com</c></summary>
        US,
        /// <summary><c>https://insights-collector.eu01.nr-data.net</c></summary>
        EU,
    }
}
