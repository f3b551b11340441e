<#
.SYNOPSIS
    Builds, tests, packages or demonstrates the QlikActivity module.
.DESCRIPTION
    Build   : dotnet build of the solution; leaves an importable module in out/QlikActivity/
              (lib/net8.0, lib/netstandard2.0, help, views).
    Test    : Build, then dotnet test, then the Pester tests in tests/pester when Pester 5 is
              installed: in PowerShell 7 (the net8.0 build) and, where Windows PowerShell 5.1 has
              Pester 5 too, in Windows PowerShell (the netstandard2.0 build).
    Package : Build, then out/QlikActivity-<version>.zip and out/QlikActivity.<version>.nupkg
              (install the .nupkg with Install-PSResource or Install-Module from a local repository).
    Demo    : Build, then run every part against the built-in QRS simulator: no Qlik Sense needed.
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    ./build.ps1 -Task Demo
.EXAMPLE
    ./build.ps1 -Task Package
    Register-PSResourceRepository -Name Local -Uri (Resolve-Path ./out) -Trusted
    Install-PSResource -Name QlikActivity -Repository Local
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release'
)
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

$ModuleDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'QlikActivity')
$ModuleManifest = Join-Path -Path $ModuleDirectory -ChildPath 'QlikActivity.psd1'

function Invoke-Build {
    dotnet build QlikActivity.sln -c $Configuration
    if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }
}

function Invoke-DotnetTest {
    dotnet test QlikActivity.sln -c $Configuration --no-build
    if ($LASTEXITCODE) { throw "dotnet test failed ($LASTEXITCODE)" }
}

# Runs the Pester tests in a fresh process of the given PowerShell, so the module's DLLs are not
# locked in this one. Returns $false when that PowerShell lacks Pester 5.
function Invoke-PesterIn {
    param([string] $Shell)

    $command = Get-Command -Name $Shell -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $command) {
        return $false
    }

    $hasPester = & $command.Source -NoProfile -NonInteractive -Command "if (Get-Module -ListAvailable -Name Pester | Where-Object { `$_.Version -ge [version]'5.0.0' }) { 'yes' }"
    if ($hasPester -ne 'yes') {
        Write-Warning "$Shell has no Pester 5 (Install-Module Pester -MinimumVersion 5.0 -Scope CurrentUser): its Pester tests are not run."
        return $false
    }

    $env:QLIKACTIVITY_CONFIGURATION = $Configuration
    $pesterCommand = "Import-Module Pester -MinimumVersion 5.0.0; " +
        "`$c = New-PesterConfiguration; `$c.Run.Path = 'tests/pester'; `$c.Run.Exit = `$true; `$c.Output.Verbosity = 'Detailed'; " +
        "Invoke-Pester -Configuration `$c"
    & $command.Source -NoProfile -NonInteractive -Command $pesterCommand | Out-Host
    if ($LASTEXITCODE) { throw "Pester tests failed in $Shell ($LASTEXITCODE)" }
    return $true
}

function Invoke-Package {
    $tool = [System.IO.Path]::Combine($PSScriptRoot, 'tools', 'QlikActivity.HelpBuilder', 'bin', $Configuration, 'net10.0', 'QlikActivity.HelpBuilder.dll')
    $files = dotnet $tool pack $ModuleDirectory (Join-Path -Path $PSScriptRoot -ChildPath 'out')
    if ($LASTEXITCODE) { throw "Packing failed ($LASTEXITCODE)" }
    foreach ($file in $files) {
        Get-Item -LiteralPath $file
    }
}

function Invoke-Demo {
    Import-Module -Name ([System.IO.Path]::Combine($PSScriptRoot, 'tests', 'pester', 'TestQrsSimulator.psm1')) -Force
    Write-Host "`n== Starting the QRS simulator (a stand-in for a Qlik Sense central node) with 25 users" -ForegroundColor Cyan
    $simulator = Start-TestQrsSimulator -RepositoryRoot $PSScriptRoot -Configuration $Configuration -Users 25
    try {
        Import-Module -Name $ModuleManifest -Force
        Write-Host "`n== Connect-QlikSense -Server $($simulator.Server) -Port $($simulator.Port) -CertificatePath <exported certificates>" -ForegroundColor Cyan
        Connect-QlikSense -Server $simulator.Server -Port $simulator.Port -CertificatePath $simulator.CertificateDirectory | Format-Table | Out-Host

        Write-Host '== Get-QlikUserActivity | Sort-Object DaysInactive' -ForegroundColor Cyan
        Get-QlikUserActivity | Sort-Object -Property DaysInactive | Format-Table | Out-Host

        Write-Host '== Set-QlikActivityBucket -Name Activity -WhatIf   (nothing is written)' -ForegroundColor Cyan
        Set-QlikActivityBucket -Name Activity -WhatIf | Format-Table | Out-Host

        Write-Host '== Set-QlikActivityBucket -Name Activity   (for real)' -ForegroundColor Cyan
        Set-QlikActivityBucket -Name Activity -Confirm:$false | Format-Table | Out-Host

        Write-Host '== Set-QlikActivityBucket -Name Activity   (again: only changed users would be written)' -ForegroundColor Cyan
        Set-QlikActivityBucket -Name Activity -Confirm:$false | Select-Object -Last 1 | Format-Table | Out-Host

        $udpPort = Get-TestFreeUdpPort
        Write-Host "== Start-QlikEventListener -Port $udpPort -Count 5, and Send-QlikUserEvent as a Sense Proxy would" -ForegroundColor Cyan
        $listener = Start-TestQlikEventListener -ModulePath $ModuleManifest -Parameters @{
            Address = '127.0.0.1'
            Port    = $udpPort
            Count   = 5
            Timeout = 60
        }
        $samples = @(
            @{ EventType = 'SessionStart'; UserId = 'anna' },
            @{ EventType = 'ConnectionOpen'; UserId = 'anna' },
            @{ EventType = 'SessionStart'; UserId = 'bob' },
            @{ EventType = 'ConnectionClose'; UserId = 'anna' },
            @{ EventType = 'SessionStop'; UserId = 'anna' }
        )
        # The listener starts in its own runspace; send until it has taken five events.
        for ($round = 0; $round -lt 60 -and -not $listener.Handle.IsCompleted; $round++) {
            foreach ($sample in $samples) {
                $null = Send-QlikUserEvent -Server 127.0.0.1 -Port $udpPort -UserDirectory DEMO -HostName sense-demo `
                    -AppId '5b0c6f7e-4f0e-4d3a-9a55-2f7f1c8e6a11' -UserAgent 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36' @sample
            }

            Start-Sleep -Milliseconds 500
        }

        $output = @(Receive-TestQlikEventListener -Listener $listener -TimeoutSec 90)
        $output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.UserEvent' } | Format-Table | Out-Host
        Write-Host '== Listener statistics' -ForegroundColor Cyan
        $output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.ListenerStatistics' } | Select-Object -Last 1 | Format-List | Out-Host

        Disconnect-QlikSense
        Write-Host 'Demo finished: every part ran against the simulator.' -ForegroundColor Green
    }
    finally {
        Get-Module -Name QlikActivity | Remove-Module -Force -ErrorAction SilentlyContinue
        Stop-TestQrsSimulator -Simulator $simulator
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' {
        Invoke-Build
        Invoke-DotnetTest
        $ran = @()
        if (Invoke-PesterIn -Shell 'pwsh') { $ran += 'PowerShell 7' }
        # Windows PowerShell 5.1 runs the netstandard2.0 build.
        if ($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop') {
            if (Invoke-PesterIn -Shell 'powershell') { $ran += 'Windows PowerShell 5.1' }
        }

        if ($ran.Count -eq 0) {
            Write-Warning 'No PowerShell with Pester 5 found: the Pester tests in tests/pester were not run.'
        }
        else {
            Write-Host "Pester tests passed in: $($ran -join ', ')"
        }
    }
    'Package' {
        Invoke-Build
        Invoke-Package
    }
    'Demo' {
        Invoke-Build
        Invoke-Demo
    }
}
