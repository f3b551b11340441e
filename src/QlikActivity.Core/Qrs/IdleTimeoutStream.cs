using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// A read-only response body whose timeout restarts at every read: a list of 50,000 users
    /// may take a while as a whole, but a server that stops sending is noticed after one
    /// timeout. <see cref="Token"/> is what the reader of the body must pass on.
    /// </summary>
    internal sealed class IdleTimeoutStream : Stream
    {
        private readonly Stream _inner;
        private readonly TimeSpan _timeout;
        private readonly CancellationToken _outer;
        private readonly CancellationTokenSource _cts;

        public IdleTimeoutStream(Stream inner, TimeSpan timeout, CancellationToken outer)
        {
            _inner = inner;
            _timeout = timeout;
            _outer = outer;
            _cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        }

        /// <summary>Cancelled by the caller's token or by a read that took longer than the timeout.</summary>
        public CancellationToken Token => _cts.Token;

        /// <summary>True when <see cref="Token"/> fired because of the timeout, not the caller.</summary>
        public bool TimedOut => _cts.IsCancellationRequested && !_outer.IsCancellationRequested;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _cts.CancelAfter(_timeout);
            using var linked = cancellationToken.CanBeCanceled && cancellationToken != _cts.Token
                ? CancellationTokenSource.CreateLinkedTokenSource(_cts.Token, cancellationToken)
                : null;
            return await _inner.ReadAsync(buffer, offset, count, linked?.Token ?? _cts.Token).ConfigureAwait(false);
        }

#if NET8_0_OR_GREATER
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _cts.CancelAfter(_timeout);
            using var linked = cancellationToken.CanBeCanceled && cancellationToken != _cts.Token
                ? CancellationTokenSource.CreateLinkedTokenSource(_cts.Token, cancellationToken)
                : null;
            return await _inner.ReadAsync(buffer, linked?.Token ?? _cts.Token).ConfigureAwait(false);
        }
#endif

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _inner.Dispose();
                _cts.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
