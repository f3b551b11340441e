<#
.SYNOPSIS
    Builds, tests, packages or demonstrates the QlikActivity module.
.DESCRIPTION
    Build   : dotnet build of the solution; leaves an importable module in out/QlikActivity/
              (lib/net8.0, lib/netstandard2.0, help, views).
    Test    : Build, then dotnet test (the unit tests, then the Integration category), then the
              Pester tests in tests/pester: in PowerShell 7 (the net8.0 build) and, on Windows, in
              Windows PowerShell 5.1 (the netstandard2.0 build).
              Fetches Pester 5.9.1 from NuGet when it is missing (tools/pester/pester.proj). Fails
              (non-zero exit) when any dotnet or Pester test fails.
    Package : Build, then out/QlikActivity-<version>.zip and out/QlikActivity.<version>.nupkg
              (install the .nupkg with Install-PSResource or Install-Module from a local repository).
    Demo    : Build, then run every part against the built-in QRS simulator: no Qlik Sense needed.
    Mutate  : Mutation testing (Stryker.NET, the dotnet-stryker tool in .config/dotnet-tools.json) of
              the Core areas where a wrong answer costs the admin, one area after the other, each
              with the unit tests that cover it (tests/mutation/<area>.json). Slow (minutes to an
              hour per area on two cores), so not part of Test or CI. -Area runs one area. Reports
              land in out/mutation/<area>/reports/ (html, json); scores are in docs/testing.md.
              Fails when an area scores below 85.
.EXAMPLE
    ./build.ps1 -Task Build
.EXAMPLE
    ./build.ps1 -Task Demo
.EXAMPLE
    ./build.ps1 -Task Package
    Register-PSResourceRepository -Name Local -Uri (Resolve-Path ./out) -Trusted
    Install-PSResource -Name QlikActivity -Repository Local
.EXAMPLE
    ./build.ps1 -Task Mutate -Area Events
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Mutate')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # Mutate only: the areas to mutate (tests/mutation/<area>.json); all of them when omitted.
    [ValidateSet('Activity', 'Events', 'UserAgent', 'Destinations')]
    [string[]] $Area = @('Activity', 'Events', 'UserAgent', 'Destinations')
)
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

$ModuleDirectory = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'QlikActivity')
$ModuleManifest = Join-Path -Path $ModuleDirectory -ChildPath 'QlikActivity.psd1'
$PesterVersion = '5.9.1'

function Invoke-Build {
    dotnet build QlikActivity.sln -c $Configuration
    if ($LASTEXITCODE) { throw "dotnet build failed ($LASTEXITCODE)" }
}

# Returns $true when every dotnet test passed. Does not throw: Pester still runs after a failure.
# Two passes that add up to the whole suite (docs/testing.md, "Test categories"): first the unit tests,
# with QLIKACTIVITY_UNIT_ONLY=1 so a test that starts a real server without the Integration trait
# fails (tests/Shared/UnitOnlyRun.cs), then the integration tests.
function Invoke-DotnetTest {
    $passed = $true
    $previous = $env:QLIKACTIVITY_UNIT_ONLY
    $env:QLIKACTIVITY_UNIT_ONLY = '1'
    try {
        Write-Host "`n== Unit tests (Category!=Integration)" -ForegroundColor Cyan
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        # Out-Host: the test log goes to the console, not into this function's return value.
        dotnet test QlikActivity.sln -c $Configuration --no-build --filter 'Category!=Integration' | Out-Host
        if ($LASTEXITCODE) { $passed = $false }
        Write-Host ('Unit tests took {0:N0} s' -f $clock.Elapsed.TotalSeconds)
    }
    finally {
        $env:QLIKACTIVITY_UNIT_ONLY = $previous
    }

    Write-Host "`n== Integration tests (Category=Integration): the QRS simulator, mosquitto, influxd, PowerShell" -ForegroundColor Cyan
    dotnet test QlikActivity.sln -c $Configuration --no-build --filter 'Category=Integration' | Out-Host
    if ($LASTEXITCODE) { $passed = $false }
    return $passed
}

# Pester 5.9.1 from NuGet (tools/pester/pester.proj), so no Install-Module and no PowerShell Gallery
# is needed. Returns the folder that holds Pester.psd1.
function Get-PesterModule {
    $packages = $env:NUGET_PACKAGES
    if (-not $packages) {
        # All of the output first: Select-Object -First would stop dotnet before it sets $LASTEXITCODE,
        # leaving a failed dotnet test's code behind.
        $lines = @(dotnet nuget locals global-packages --list)
        $exitCode = $LASTEXITCODE
        $line = $lines | Select-Object -First 1
        if ($exitCode -or $line -notmatch 'global-packages:\s*(.+)$') { throw "Cannot find the NuGet packages folder ($line)." }
        $packages = $Matches[1].Trim()
    }

    $folder = [System.IO.Path]::Combine($packages, 'pester', $PesterVersion, 'tools')
    if (-not (Test-Path -LiteralPath (Join-Path -Path $folder -ChildPath 'Pester.psd1'))) {
        Write-Host "Fetching Pester $PesterVersion (dotnet restore tools/pester/pester.proj)"
        dotnet restore ([System.IO.Path]::Combine($PSScriptRoot, 'tools', 'pester', 'pester.proj')) | Out-Host
        if ($LASTEXITCODE) { throw "Fetching Pester $PesterVersion failed ($LASTEXITCODE)." }
        if (-not (Test-Path -LiteralPath (Join-Path -Path $folder -ChildPath 'Pester.psd1'))) { throw "Pester $PesterVersion is not in $folder after the restore." }
    }

    return $folder
}

# Runs the Pester tests in a fresh process of the given PowerShell, so the module's DLLs are not
# locked in this one. Returns $true when every test passed; $null when that PowerShell is missing.
function Invoke-PesterIn {
    param([string] $Shell, [string] $PesterFolder)

    $command = Get-Command -Name $Shell -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($null -eq $command) {
        return $null
    }

    $env:QLIKACTIVITY_CONFIGURATION = $Configuration
    # The Pester process finds Pester on its PSModulePath and imports exactly this copy by path.
    $savedModulePath = $env:PSModulePath
    $env:PSModulePath = $PesterFolder + [System.IO.Path]::PathSeparator + $env:PSModulePath
    try {
        $manifest = Join-Path -Path $PesterFolder -ChildPath 'Pester.psd1'
        # Run.Exit: the process exits with the number of failed tests (and non-zero when a
        # container fails to run at all).
        $pesterCommand = "Import-Module -Name '$manifest' -ErrorAction Stop; " +
            "`$c = New-PesterConfiguration; `$c.Run.Path = 'tests/pester'; `$c.Run.Exit = `$true; `$c.Output.Verbosity = 'Detailed'; " +
            "Invoke-Pester -Configuration `$c"
        & $command.Source -NoProfile -NonInteractive -Command $pesterCommand | Out-Host
        return ($LASTEXITCODE -eq 0)
    }
    finally {
        $env:PSModulePath = $savedModulePath
    }
}

function Invoke-Package {
    $tool = [System.IO.Path]::Combine($PSScriptRoot, 'tools', 'QlikActivity.ModulePackager', 'bin', $Configuration, 'net10.0', 'QlikActivity.ModulePackager.dll')
    $files = dotnet $tool $ModuleDirectory (Join-Path -Path $PSScriptRoot -ChildPath 'out')
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
        $output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.UserEvent' } | Format-Table | Out-Host
        Write-Host '== Listener statistics' -ForegroundColor Cyan
        $output | Where-Object { $_.PSObject.TypeNames -contains 'QlikActivity.Core.Events.ListenerStatistics' } | Select-Object -Last 1 | Format-List | Out-Host

        Disconnect-QlikSense
        Write-Host 'Demo finished: every part ran against the simulator.' -ForegroundColor Green
    }
    finally {
        Get-Module -Name QlikActivity | Remove-Module -Force -ErrorAction SilentlyContinue
        Stop-TestQrsSimulator -Simulator $simulator
    }
}

# The counts docs/testing.md records, from the area's JSON report: killed, timeout, survived, no
# coverage, and the score Stryker computes from them (compile errors and ignored mutants left out).
function Write-MutationScore {
    param([string] $Name, [string] $Output)

    $report = [System.IO.Path]::Combine($Output, 'reports', 'mutation-report.json')
    if (-not (Test-Path -LiteralPath $report)) {
        Write-Warning "No mutation report for $Name ($report)."
        return
    }

    $statuses = (Get-Content -LiteralPath $report -Raw | ConvertFrom-Json).files.PSObject.Properties.Value.mutants.status
    $count = @{}
    foreach ($status in $statuses) { $count[$status] = 1 + [int]$count[$status] }
    $detected = [int]$count['Killed'] + [int]$count['Timeout']
    $valid = $detected + [int]$count['Survived'] + [int]$count['NoCoverage']
    $score = if ($valid) { [math]::Round(100 * $detected / $valid, 2) } else { 0 }
    Write-Host ("{0}: score {1}% - killed {2}, timeout {3}, survived {4}, no coverage {5}" -f $Name, $score, [int]$count['Killed'], [int]$count['Timeout'], [int]$count['Survived'], [int]$count['NoCoverage'])
}

# Stryker.NET on one area at a time: each area's config names the files to mutate, the tests that
# cover them (a filter, so the slow simulator, mosquitto and influxd tests of other areas never run)
# and net8.0 (Core also targets netstandard2.0). Returns the areas that scored below 85.
function Invoke-Mutate {
    dotnet tool restore | Out-Host
    if ($LASTEXITCODE) { throw "dotnet tool restore failed ($LASTEXITCODE)" }

    $configFolder = [System.IO.Path]::Combine($PSScriptRoot, 'tests', 'mutation')
    $failed = @()
    foreach ($name in $Area) {
        $config = Join-Path -Path $configFolder -ChildPath "$($name.ToLowerInvariant()).json"
        $output = [System.IO.Path]::Combine($PSScriptRoot, 'out', 'mutation', $name.ToLowerInvariant())
        Write-Host "`n== Mutation testing: $name ($config)" -ForegroundColor Cyan
        # Stryker resolves the config's relative paths from the working directory.
        Push-Location -LiteralPath $configFolder
        try {
            # --break-at 85: a non-zero exit code when the area's score is below the target.
            dotnet tool run dotnet-stryker --config-file $config --output $output --configuration $Configuration --break-at 85 | Out-Host
            if ($LASTEXITCODE) { $failed += $name }
            Write-MutationScore -Name $name -Output $output
        }
        finally {
            Pop-Location
        }
    }

    return $failed
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' {
        Invoke-Build
        $failed = @()
        if (-not (Invoke-DotnetTest)) { $failed += 'dotnet test' }

        $pesterFolder = Get-PesterModule
        $ran = @()
        $result = Invoke-PesterIn -Shell 'pwsh' -PesterFolder $pesterFolder
        if ($null -ne $result) {
            $ran += 'PowerShell 7'
            if (-not $result) { $failed += 'Pester in PowerShell 7' }
        }

        # Windows PowerShell 5.1 runs the netstandard2.0 build.
        if ($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop') {
            $result = Invoke-PesterIn -Shell 'powershell' -PesterFolder $pesterFolder
            if ($null -ne $result) {
                $ran += 'Windows PowerShell 5.1'
                if (-not $result) { $failed += 'Pester in Windows PowerShell 5.1' }
            }
        }

        if ($ran.Count -eq 0) {
            $failed += 'Pester (no pwsh found to run it in)'
        }

        if ($failed.Count -gt 0) {
            throw "Tests failed: $($failed -join ', ')."
        }

        Write-Host "All tests passed: dotnet test, and Pester in $($ran -join ', ')."
    }
    'Package' {
        Invoke-Build
        Invoke-Package
    }
    'Demo' {
        Invoke-Build
        Invoke-Demo
    }
    'Mutate' {
        $failed = @(Invoke-Mutate)
        if ($failed.Count -gt 0) {
            throw "Mutation score below 85 (or Stryker failed) in: $($failed -join ', ')."
        }

        Write-Host "Mutation testing done: $($Area -join ', '). Reports in out/mutation/."
    }
}
