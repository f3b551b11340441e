using System;

namespace QlikActivity.Core.Destinations.Mqtt
{
    /// <summary>What went wrong with a connection, so the destination can choose how long to wait.</summary>
    internal enum MqttConnectionFailure
    {
        /// <summary>No TCP connection (refused, unreachable, name not found).</summary>
        Unreachable,
        Timeout,
        /// <summary>The broker answered CONNECT with a refusal.</summary>
        Refused,
        /// <summary>TLS failed, usually because the certificate is not trusted.</summary>
        Tls,
        Protocol,
        /// <summary>An established connection broke.</summary>
        Lost,
    }

    /// <summary>A connection failure with a message that names the broker and the cause, never a secret.</summary>
    internal sealed class MqttConnectionException : Exception
    {
        public MqttConnectionException(MqttConnectionFailure failure, string message, Exception? inner = null, MqttConnectReturnCode? returnCode = null)
            : base(message, inner)
        {
            Failure = failure;
            ReturnCode = returnCode;
        }

        public MqttConnectionFailure Failure { get; }

        public MqttConnectReturnCode? ReturnCode { get; }

        /// <summary>Refusals and untrusted certificates need an admin, not a quick retry.</summary>
        public bool IsConfigurationProblem =>
            Failure == MqttConnectionFailure.Tls
            || (Failure == MqttConnectionFailure.Refused && ReturnCode != MqttConnectReturnCode.ServerUnavailable);
    }
}
