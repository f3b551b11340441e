using System.Management.Automation;
using QlikActivity.Core;
using Xunit;

namespace QlikActivity.Tests.Module
{
    /// <summary>
    /// The real host seam: QlikCmdlet turns Core's error categories into PowerShell's, which is what an admin's
    /// <c>$_.CategoryInfo.Category</c> and <c>-ErrorAction</c> handling see. (The runspace tests cover the rest of
    /// the adapter end to end: -WhatIf text, progress records, error ids and targets.)
    /// </summary>
    public class HostAdapterTests
    {
        [Theory]
        [InlineData(OperationErrorCategory.NotSpecified, ErrorCategory.NotSpecified)]
        [InlineData(OperationErrorCategory.InvalidArgument, ErrorCategory.InvalidArgument)]
        [InlineData(OperationErrorCategory.InvalidData, ErrorCategory.InvalidData)]
        [InlineData(OperationErrorCategory.InvalidOperation, ErrorCategory.InvalidOperation)]
        [InlineData(OperationErrorCategory.ObjectNotFound, ErrorCategory.ObjectNotFound)]
        [InlineData(OperationErrorCategory.PermissionDenied, ErrorCategory.PermissionDenied)]
        [InlineData(OperationErrorCategory.AuthenticationError, ErrorCategory.AuthenticationError)]
        [InlineData(OperationErrorCategory.SecurityError, ErrorCategory.SecurityError)]
        [InlineData(OperationErrorCategory.ConnectionError, ErrorCategory.ConnectionError)]
        [InlineData(OperationErrorCategory.ResourceUnavailable, ErrorCategory.ResourceUnavailable)]
        [InlineData(OperationErrorCategory.OperationTimeout, ErrorCategory.OperationTimeout)]
        [InlineData(OperationErrorCategory.WriteError, ErrorCategory.WriteError)]
        [InlineData(OperationErrorCategory.ReadError, ErrorCategory.ReadError)]
        [InlineData(OperationErrorCategory.LimitsExceeded, ErrorCategory.LimitsExceeded)]
        [InlineData((OperationErrorCategory)999, ErrorCategory.NotSpecified)]
        public void Core_error_categories_become_the_PowerShell_category_of_the_same_meaning(OperationErrorCategory core, ErrorCategory expected)
        {
            Assert.Equal(expected, QlikCmdlet.ToErrorCategory(core));
        }
    }
}
