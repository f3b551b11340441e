using System;
using System.Globalization;
using System.Management.Automation;

namespace QlikActivity
{
    /// <summary>
    /// Lets a TimeSpan parameter take a plain number as minutes (<c>-SessionTimeout 45</c>); PowerShell's
    /// own conversion would read 45 as 45 ticks. Text such as <c>00:45:00</c> and TimeSpans pass through.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class TimeSpanMinutesTransformationAttribute : ArgumentTransformationAttribute
    {
        /// <inheritdoc />
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            switch (value)
            {
                case int i:
                    return TimeSpan.FromMinutes(i);
                case long l:
                    return TimeSpan.FromMinutes(l);
                case double d:
                    return TimeSpan.FromMinutes(d);
                case decimal m:
                    return TimeSpan.FromMinutes((double)m);
                case string text when double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double minutes):
                    return TimeSpan.FromMinutes(minutes);
                default:
                    return inputData;
            }
        }
    }
}
