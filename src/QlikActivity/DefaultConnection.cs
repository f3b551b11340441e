using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using QlikActivity.Core;
using QlikActivity.Core.Qrs;

namespace QlikActivity
{
    /// <summary>
    /// The default connection: set by Connect-QlikSense, used by every cmdlet whose -Connection is
    /// omitted, cleared by Disconnect-QlikSense. One per runspace, so a thread job or another
    /// runspace that connects elsewhere never redirects this one's commands.
    /// </summary>
    internal static class DefaultConnection
    {
        // Keyed by the runspace whose pipeline thread runs the cmdlet (Runspace.DefaultRunspace, in
        // both editions); weak, so a closed runspace's connection goes with it.
        private static readonly ConditionalWeakTable<Runspace, Slot> PerRunspace = new ConditionalWeakTable<Runspace, Slot>();

        // Code outside any runspace (none today) shares one slot rather than failing.
        private static readonly Slot NoRunspace = new Slot();

        private sealed class Slot
        {
            public QlikSenseConnection? Connection;
        }

        private static Slot CurrentSlot =>
            Runspace.DefaultRunspace is { } runspace ? PerRunspace.GetValue(runspace, _ => new Slot()) : NoRunspace;

        /// <summary>This runspace's default connection, or null.</summary>
        public static QlikSenseConnection? Current
        {
            get => System.Threading.Volatile.Read(ref CurrentSlot.Connection);
            set => System.Threading.Volatile.Write(ref CurrentSlot.Connection, value);
        }

        /// <summary><paramref name="given"/> if any, else the default, else an explained error.</summary>
        public static QlikSenseConnection Resolve(QlikSenseConnection? given) =>
            given ?? Current ?? throw new QlikActivityException(
                "Not connected to a Qlik Sense repository: run Connect-QlikSense first, or pass -Connection.",
                QrsErrorIds.NotConnected, OperationErrorCategory.InvalidOperation);

        /// <summary>Forgets <paramref name="connection"/> if it is this runspace's default.</summary>
        public static void Forget(QlikSenseConnection connection) =>
            System.Threading.Interlocked.CompareExchange(ref CurrentSlot.Connection, null, connection);
    }
}
