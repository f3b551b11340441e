using System;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>Control packet types of MQTT 3.1.1 (the high nibble of the fixed header's first byte).</summary>
    internal enum MqttPacketType : byte
    {
        Connect = 1,
        ConnAck = 2,
        Publish = 3,
        PubAck = 4,
        PubRec = 5,
        PubRel = 6,
        PubComp = 7,
        Subscribe = 8,
        SubAck = 9,
        Unsubscribe = 10,
        UnsubAck = 11,
        PingReq = 12,
        PingResp = 13,
        Disconnect = 14,
    }

    /// <summary>The delivery guarantees this client speaks: at most once (0) and at least once (1).</summary>
    internal enum MqttQualityOfService : byte
    {
        AtMostOnce = 0,
        AtLeastOnce = 1,
    }

    /// <summary>The CONNACK return codes of MQTT 3.1.1, section 3.2.2.3.</summary>
    internal enum MqttConnectReturnCode : byte
    {
        Accepted = 0,
        UnacceptableProtocolVersion = 1,
        IdentifierRejected = 2,
        ServerUnavailable = 3,
        BadUserNameOrPassword = 4,
        NotAuthorized = 5,
    }

    /// <summary>The broker sent bytes that are not a valid MQTT 3.1.1 packet, or one this client never expects.</summary>
    internal sealed class MqttProtocolException : Exception
    {
        public MqttProtocolException(string message)
            : base(message)
        {
        }
    }

    /// <summary>Numbers the MQTT 3.1.1 standard fixes.</summary>
    internal static class MqttProtocol
    {
        /// <summary>Protocol level 4 means 3.1.1.</summary>
        public const byte ProtocolLevel = 4;

        /// <summary>Four bytes of remaining length can say at most this (section 2.2.3).</summary>
        public const int MaxRemainingLength = 268_435_455;

        /// <summary>UTF-8 strings carry a two-byte length prefix.</summary>
        public const int MaxStringLength = 65_535;

        /// <summary>Packet identifiers are 1..65535; 0 is not allowed.</summary>
        public const int MaxPacketId = 65_535;

        /// <summary>What a CONNACK refusal means, in words an admin can act on.</summary>
        public static string Describe(MqttConnectReturnCode code) => code switch
        {
            MqttConnectReturnCode.Accepted => "connection accepted",
            MqttConnectReturnCode.UnacceptableProtocolVersion => "the broker does not speak MQTT 3.1.1 (return code 1, unacceptable protocol version)",
            MqttConnectReturnCode.IdentifierRejected => "the broker rejected the client id (return code 2, identifier rejected); choose another -ClientId",
            MqttConnectReturnCode.ServerUnavailable => "the broker is unavailable (return code 3, server unavailable)",
            MqttConnectReturnCode.BadUserNameOrPassword => "bad user name or password (return code 4); check -Credential",
            MqttConnectReturnCode.NotAuthorized => "the client is not authorized to connect (return code 5, not authorized); check the broker's access rules and -Credential",
            _ => $"the broker refused the connection with unknown return code {(byte)code}",
        };
    }
}
