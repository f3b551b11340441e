using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace QlikActivity.Core.Qrs
{
    /// <summary>
    /// Names a connected repository can offer for tab completion: the user directories that hold
    /// users, and the custom property definitions that apply to users. A connection implements it;
    /// the module's argument completers call it with a short timeout and cache the answer.
    /// </summary>
    public interface IQrsNameSource
    {
        /// <summary>The distinct user directories of the repository's users, e.g. <c>INTERNAL</c>, <c>LAB</c>.</summary>
        Task<IReadOnlyList<string>> GetUserDirectoriesAsync(CancellationToken cancellationToken);

        /// <summary>The names of custom property definitions whose object types include <c>User</c>.</summary>
        Task<IReadOnlyList<string>> GetUserCustomPropertyNamesAsync(CancellationToken cancellationToken);
    }
}
