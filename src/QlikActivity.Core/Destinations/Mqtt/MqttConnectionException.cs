using System;
using System.Security.Authentication;

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

        /// <summary>
        /// Why opening a connection failed, in words an admin can act on: <paramref name="stage"/> says
        /// how far it got ("connecting", "negotiating TLS with", "logging in to"), and
        /// <paramref name="tlsFailure"/> why the broker's certificate was refused, if it was.
        /// </summary>
        internal static MqttConnectionException ForOpen(Exception ex, MqttConnectionSettings settings, string stage, bool timedOut, string? tlsFailure)
        {
            if (timedOut)
            {
                return new MqttConnectionException(MqttConnectionFailure.Timeout,
                    $"Timed out after {settings.ConnectTimeout.TotalSeconds:0.#} s {stage} the MQTT broker {settings.Endpoint}.", ex);
            }

            if (tlsFailure != null)
            {
                return new MqttConnectionException(MqttConnectionFailure.Tls,
                    $"The MQTT broker {settings.Endpoint} is not trusted: {tlsFailure}.", ex);
            }

            if (ex is AuthenticationException)
            {
                return new MqttConnectionException(MqttConnectionFailure.Tls,
                    $"TLS with the MQTT broker {settings.Endpoint} failed: {ex.Message}", ex);
            }

            if (ex is MqttProtocolException)
            {
                return new MqttConnectionException(MqttConnectionFailure.Protocol,
                    $"The MQTT broker {settings.Endpoint} answered CONNECT with something that is not MQTT 3.1.1: {ex.Message}", ex);
            }

            return new MqttConnectionException(stage == "connecting" ? MqttConnectionFailure.Unreachable : MqttConnectionFailure.Lost,
                $"Cannot reach the MQTT broker {settings.Endpoint} ({stage}): {MqttConnection.Explain(ex)}", ex);
        }

        /// <summary>Refusals and untrusted certificates need an admin, not a quick retry.</summary>
        public bool IsConfigurationProblem =>
            Failure == MqttConnectionFailure.Tls
            || (Failure == MqttConnectionFailure.Refused && ReturnCode != MqttConnectReturnCode.ServerUnavailable);
    }
}
