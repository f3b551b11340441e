using System;
using System.Net;

namespace QlikActivity.Core.Qrs
{
    /// <summary>The ErrorIds of connection and request failures, one per cause.</summary>
    public static class QrsErrorIds
    {
        public const string InvalidConnectionOptions = "QrsInvalidConnectionOptions";
        public const string CertificateFolderNotFound = "QrsCertificateFolderNotFound";
        public const string CertificateFileNotFound = "QrsCertificateFileNotFound";
        public const string CertificateUnreadable = "QrsCertificateUnreadable";
        public const string PrivateKeyUnreadable = "QrsPrivateKeyUnreadable";
        public const string PrivateKeyMismatch = "QrsPrivateKeyMismatch";
        public const string CertificatePasswordInvalid = "QrsCertificatePasswordInvalid";
        public const string CertificateNotInStore = "QrsCertificateNotInStore";
        public const string CertificateWithoutPrivateKey = "QrsCertificateWithoutPrivateKey";
        public const string HostUnreachable = "QrsHostUnreachable";
        public const string ServerCertificateNotTrusted = "QrsServerCertificateNotTrusted";
        public const string TlsHandshakeFailed = "QrsTlsHandshakeFailed";
        public const string ClientCertificateRejected = "QrsClientCertificateRejected";
        public const string ConnectionDropped = "QrsConnectionDropped";
        public const string Timeout = "QrsTimeout";
        public const string Unauthorized = "QrsUnauthorized";
        public const string Forbidden = "QrsForbidden";
        public const string NotFound = "QrsNotFound";
        public const string BadRequest = "QrsBadRequest";
        public const string Conflict = "QrsConflict";
        public const string TooManyRequests = "QrsTooManyRequests";
        public const string ServerError = "QrsServerError";
        public const string UnexpectedResponse = "QrsUnexpectedResponse";
        public const string LoginPage = "QrsLoginPage";
        public const string Disposed = "QrsConnectionClosed";

        /// <summary>A cmdlet without -Connection ran before Connect-QlikSense (or after Disconnect-QlikSense).</summary>
        public const string NotConnected = "QlikNotConnected";
    }

    /// <summary>
    /// A repository request that failed with an HTTP status or a transport error. The message
    /// names the method, the path (never the query: it carries the xrfkey) and the cause.
    /// </summary>
    public class QrsException : QlikActivityException
    {
        public QrsException(string message, string errorId, OperationErrorCategory category, string? method, string? path,
            HttpStatusCode? statusCode = null, string? responseText = null, Exception? inner = null)
            : base(message, errorId, category, inner)
        {
            Method = method;
            Path = path;
            StatusCode = statusCode;
            ResponseText = responseText;
        }

        /// <summary>GET, PUT, ...; null for failures before any request.</summary>
        public string? Method { get; }

        /// <summary>E.g. <c>/qrs/user/0b5e...</c>.</summary>
        public string? Path { get; }

        /// <summary>The HTTP status, or null when no response arrived.</summary>
        public HttpStatusCode? StatusCode { get; }

        /// <summary>The start of the server's response body, as it explains the status.</summary>
        public string? ResponseText { get; }

        /// <summary>
        /// True when no response came but an attempt's connection had opened (a drop after
        /// sending, a timeout): a PUT may then have been applied although it "failed".
        /// </summary>
        internal bool MayHaveArrived { get; set; }

        /// <summary>True for the failures that mean the server did not answer at all: refused, reset, timed out.</summary>
        internal bool IsTransportFailure =>
            ErrorId == QrsErrorIds.HostUnreachable || ErrorId == QrsErrorIds.ConnectionDropped || ErrorId == QrsErrorIds.Timeout;
    }

    /// <summary>
    /// 409 Conflict on a PUT: the entity changed since it was read (its <c>modifiedDate</c> is
    /// older than the stored one). Read the entity again, re-apply the change, and PUT again.
    /// </summary>
    public sealed class QrsConflictException : QrsException
    {
        public QrsConflictException(string message, string method, string path, string? responseText)
            : base(message, QrsErrorIds.Conflict, OperationErrorCategory.InvalidOperation, method, path, HttpStatusCode.Conflict, responseText)
        {
        }
    }
}
