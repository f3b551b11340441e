namespace QlikActivity.Core.Destinations
{
    /// <summary>
    /// The ErrorIds of the destinations (MQTT, InfluxDB, New Relic, webhooks), one per cause. The
    /// checks every destination shares build their id from the destination's prefix and a suffix
    /// below (e.g. <c>Mqtt</c> + <see cref="CaWithoutTls"/>), so the id still names the destination.
    /// </summary>
    public static class DestinationErrorIds
    {
        // Shared settings.
        public const string BatchSizeInvalid = "DestinationBatchSizeInvalid";
        public const string QueueCapacityInvalid = "DestinationQueueCapacityInvalid";
        public const string TimeoutInvalid = "DestinationTimeoutInvalid";

        // Suffixes after the destination's prefix.
        public const string FieldNameInvalid = "Invalid";
        public const string FieldNameReserved = "Reserved";
        public const string CaWithoutTls = "CaWithoutTls";
        public const string CaAndSkip = "CaAndSkip";
        public const string CaCertificateUnreadable = "CaCertificateUnreadable";
        public const string CaCertificateInvalid = "CaCertificateInvalid";

        // MQTT.
        public const string MqttBrokerMissing = "MqttBrokerMissing";
        public const string MqttBrokerInvalid = "MqttBrokerInvalid";
        public const string MqttPortInvalid = "MqttPortInvalid";
        public const string MqttQosInvalid = "MqttQosInvalid";
        public const string MqttKeepAliveInvalid = "MqttKeepAliveInvalid";
        public const string MqttQueueInvalid = "MqttQueueInvalid";
        public const string MqttPasswordWithoutUser = "MqttPasswordWithoutUser";
        public const string MqttNoTopic = "MqttNoTopic";
        public const string MqttTopicInvalid = "MqttTopicInvalid";
        public const string MqttBadCredentials = "MqttBadCredentials";
        public const string MqttNotAuthorized = "MqttNotAuthorized";
        public const string MqttConnectionRefused = "MqttConnectionRefused";
        public const string MqttCertificateNotTrusted = "MqttCertificateNotTrusted";
        public const string MqttConnectTimeout = "MqttConnectTimeout";
        public const string MqttProtocolError = "MqttProtocolError";
        public const string MqttBrokerUnreachable = "MqttBrokerUnreachable";
        public const string MqttClientCertificateInvalid = "MqttClientCertificateInvalid";

        // InfluxDB.
        public const string InfluxDbUrlInvalid = "InfluxDbUrlInvalid";
        public const string InfluxDbDatabaseMissing = "InfluxDbDatabaseMissing";
        public const string InfluxDbBucketMissing = "InfluxDbBucketMissing";
        public const string InfluxDbTokenMissing = "InfluxDbTokenMissing";
        public const string InfluxDbVersionInvalid = "InfluxDbVersionInvalid";
        public const string InfluxDbMeasurementInvalid = "InfluxDbMeasurementInvalid";

        // New Relic.
        public const string NewRelicAccountInvalid = "NewRelicAccountInvalid";
        public const string NewRelicInsertKeyMissing = "NewRelicInsertKeyMissing";
        public const string NewRelicUrlInvalid = "NewRelicUrlInvalid";

        // Webhooks.
        public const string WebhookUrlMissing = "WebhookUrlMissing";
        public const string WebhookUrlInvalid = "WebhookUrlInvalid";
        public const string WebhookFormatInvalid = "WebhookFormatInvalid";
        public const string WebhookMaxAttemptsInvalid = "WebhookMaxAttemptsInvalid";
        public const string WebhookHeaderInvalid = "WebhookHeaderInvalid";
    }
}
