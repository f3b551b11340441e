using QlikActivity.Core;

namespace QlikActivity
{
    /// <summary>
    /// The module's default connection: set by Connect-QlikSense, used by every cmdlet whose
    /// -Connection is omitted, cleared by Disconnect-QlikSense. One per loaded module.
    /// </summary>
    internal static class DefaultConnection
    {
        public const string NotConnectedErrorId = "QlikNotConnected";

        private static QlikSenseConnection? _current;

        public static QlikSenseConnection? Current
        {
            get => System.Threading.Volatile.Read(ref _current);
            set => System.Threading.Volatile.Write(ref _current, value);
        }

        /// <summary><paramref name="given"/> if any, else the default, else an explained error.</summary>
        public static QlikSenseConnection Resolve(QlikSenseConnection? given) =>
            given ?? Current ?? throw new QlikActivityException(
                "Not connected to a Qlik Sense repository: run Connect-QlikSense first, or pass -Connection.",
                NotConnectedErrorId, OperationErrorCategory.InvalidOperation);

        /// <summary>Forgets <paramref name="connection"/> if it is the default.</summary>
        public static void Forget(QlikSenseConnection connection) =>
            System.Threading.Interlocked.CompareExchange(ref _current, null, connection);
    }
}
