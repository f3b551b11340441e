namespace QlikActivity.Core.Activity
{
    /// <summary>
    /// What Set-QlikActivityBucket does with users that have no license record (no known
    /// activity). None of the choices marks them as long inactive: "never seen" is not "inactive
    /// for a year", and a licence clean-up rule must not catch them by mistake.
    /// </summary>
    public enum NoActivityAction
    {
        /// <summary>Remove the property's value, so the user holds no bucket (the default).</summary>
        Remove,

        /// <summary>Leave the user's value as it is; the user is counted as skipped.</summary>
        Leave,

        /// <summary>Set the value given by -NoActivityValue (e.g. 'Never'), which becomes a choice value too.</summary>
        SetValue,
    }
}
