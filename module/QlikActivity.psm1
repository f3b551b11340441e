# Loads the build that fits this PowerShell: net8.0 on PowerShell 7, netstandard2.0 on Windows PowerShell 5.1.
$framework = if ($PSVersionTable.PSEdition -eq 'Core') { 'net8.0' } else { 'netstandard2.0' }
$assembly = Join-Path $PSScriptRoot "lib/$framework/QlikActivity.dll"
Import-Module -Name $assembly -ErrorAction Stop
