using System.Management.Automation;
using System.Security;

// Cmdlets that exist only to prove the convention checks fail when a rule is broken.
namespace QlikActivity.Tests.Module.Specimens
{
    [Cmdlet(VerbsCommon.Set, "QlikSpecimen", SupportsShouldProcess = true)]
    [OutputType(typeof(string))]
    public sealed class SetQlikSpecimenCommand : PSCmdlet
    {
        [Parameter]
        [ValidateRange(1, 25)]
        public int BatchSize { get; set; }

        [Parameter]
        public SecureString? Jwt { get; set; }

        [Parameter]
        public string? JwtPath { get; set; }
    }

    [Cmdlet("Modify", "QlikSpecimens")]
    public sealed class ModifyQlikSpecimensCommand : PSCmdlet
    {
    }

    [Cmdlet(VerbsCommon.Set, "QlikUnsafeSpecimen")]
    [OutputType(typeof(string))]
    public sealed class SetQlikUnsafeSpecimenCommand : PSCmdlet
    {
        [Parameter]
        public int Count { get; set; }

        [Parameter]
        public string? ApiKey { get; set; }
    }

    [Cmdlet(VerbsCommon.Get, "QlikReadSpecimen", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType("QlikActivity.Whatever")]
    public sealed class GetQlikReadSpecimenCommand : PSCmdlet
    {
    }

    [Cmdlet(VerbsCommon.New, "QlikFileSpecimen")]
    [OutputType(typeof(System.IO.FileInfo))]
    public sealed class NewQlikFileSpecimenCommand : PSCmdlet
    {
        [Parameter]
        public string? Path { get; set; }
    }

    [Cmdlet(VerbsCommon.New, "QlikObjectSpecimen")]
    [OutputType(typeof(string))]
    public sealed class NewQlikObjectSpecimenCommand : PSCmdlet
    {
        [Parameter]
        public string? Name { get; set; }
    }

    [Cmdlet(VerbsCommunications.Connect, "QlikSessionSpecimen", ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(string))]
    public sealed class ConnectQlikSessionSpecimenCommand : PSCmdlet
    {
    }

    [Cmdlet(VerbsCommon.Set, "QlikWrongClass")]
    public sealed class SomethingElseCommand : PSCmdlet
    {
    }
}
