<#
.SYNOPSIS
    Builds, tests, packages or demonstrates the QlikActivity module.
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo')]
    [string] $Task = 'Build',
    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Build {
    dotnet build QlikActivity.sln -c $Configuration
    if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' {
        Invoke-Build
        dotnet test QlikActivity.sln -c $Configuration --no-build
        if ($LASTEXITCODE) { throw "dotnet test failed ($LASTEXITCODE)" }
    }
    default { throw "Task $Task is not written yet." }
}
