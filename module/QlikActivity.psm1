# Loads the build that fits this PowerShell: lib/net8.0 on PowerShell 7.4+ (.NET 8 or later),
# lib/netstandard2.0 on Windows PowerShell 5.1 (.NET Framework 4.7.2 or later). Kept to syntax
# that Windows PowerShell 5.1 parses.
if ($PSVersionTable.PSEdition -eq 'Core') {
    if ($PSVersionTable.PSVersion -lt [version]'7.4') {
        throw "QlikActivity needs PowerShell 7.4 or later (this is $($PSVersionTable.PSVersion)), or Windows PowerShell 5.1."
    }
    $framework = 'net8.0'
}
else {
    $framework = 'netstandard2.0'
}

$assemblyPath = [System.IO.Path]::Combine($PSScriptRoot, 'lib', $framework, 'QlikActivity.dll')
if (-not (Test-Path -LiteralPath $assemblyPath)) {
    throw "QlikActivity: '$assemblyPath' is missing. Build the module (dotnet build QlikActivity.sln -c Release) or reinstall it."
}

# The binary module becomes a nested module; its cmdlets are re-exported, and the manifest's
# CmdletsToExport decides which ones the session sees.
$binaryModule = Import-Module -Name $assemblyPath -PassThru -ErrorAction Stop
Export-ModuleMember -Cmdlet @($binaryModule.ExportedCmdlets.Keys)
