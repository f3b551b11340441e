namespace QlikActivity.Core.Qrs
{
    /// <summary>How a <see cref="QlikSenseConnection"/> authenticates to the repository.</summary>
    public enum AuthenticationMode
    {
        /// <summary>Client certificate on the QRS port (4242) with an <c>X-Qlik-User</c> header.</summary>
        Certificate,

        /// <summary>A JSON Web Token sent as <c>Authorization: Bearer</c> through a virtual proxy (port 443).</summary>
        Jwt,
    }
}
