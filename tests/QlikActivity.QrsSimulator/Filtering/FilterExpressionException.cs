using System;

namespace QlikActivity.QrsSimulator.Filtering
{
    /// <summary>A filter or orderby the QRS would refuse; <see cref="Exception.Message"/> is the 400 body.</summary>
    public sealed class FilterExpressionException : Exception
    {
        public FilterExpressionException(string message)
            : base(message)
        {
        }

        /// <summary>The generic QRS answer to a filter it cannot read.</summary>
        public static FilterExpressionException CannotParse(string filter) => new FilterExpressionException("Cannot parse the expression: " + filter);
    }
}
