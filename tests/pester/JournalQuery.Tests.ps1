#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# The history cmdlets (Get-QlikUserEvent, Get-QlikUserSession, Get-QlikAppActivity) through the built
# module, over a journal written here by the module's own writer (EventJournal), which stays open as a
# running listener would hold it. The queries in depth are covered by tests/QlikActivity.Core.Tests/Journal.
# Windows PowerShell 5.1 syntax throughout.

BeforeAll {
    $script:RepositoryRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).Path
    $script:Configuration = if ($env:QLIKACTIVITY_CONFIGURATION) { $env:QLIKACTIVITY_CONFIGURATION } else { 'Release' }
    $script:ModulePath = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'QlikActivity', 'QlikActivity.psd1')
    if (-not (Test-Path -LiteralPath $script:ModulePath)) {
        throw "The module is not built ($script:ModulePath): run dotnet build QlikActivity.sln -c $script:Configuration."
    }

    Import-Module -Name $script:ModulePath -Force -ErrorAction Stop

    $script:Folder = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('qlikactivity-pester-journal-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $script:Folder
    $script:JournalPath = Join-Path -Path $script:Folder -ChildPath 'events.journal'
    $options = New-Object -TypeName QlikActivity.Core.Journal.EventJournalOptions -ArgumentList $script:JournalPath
    $script:Journal = [QlikActivity.Core.Journal.EventJournal]::Open($options)
    $script:Sales = [guid]'5f0c2b0e-8a7d-4c1e-9a53-1b9b2f6f0d11'
    $now = [datetime]::UtcNow
    $script:Now = $now.AddTicks( - ($now.Ticks % 10000))

    function Add-JournalEvent([int] $MinutesAgo, [string] $Type, [string] $UserId, [string] $ProxyHost, $AppId) {
        $commands = @{ SessionStart = 'Start session'; SessionStop = 'Stop session'; ConnectionOpen = 'Open connection'; ConnectionClose = 'Close connection' }
        $e = New-Object -TypeName QlikActivity.Core.UserEvent
        $e.ReceivedAt = $script:Now.AddMinutes(-$MinutesAgo)
        $e.Host = $ProxyHost
        $e.EventType = $Type
        $e.Command = $commands[$Type]
        $e.UserDirectory = 'LAB'
        $e.UserId = $UserId
        if ($AppId) { $e.AppId = $AppId; $e.AppName = 'Sales'; $e.Context = "/app/$AppId" }
        if ($script:Journal.Append($e) -eq 0) { throw 'not journaled' }
    }

    Add-JournalEvent 90 SessionStart anna sense1 $script:Sales
    Add-JournalEvent 80 ConnectionOpen anna sense1 $script:Sales
    Add-JournalEvent 70 SessionStop anna sense1 $null
    Add-JournalEvent 5 SessionStart bob sense2 $null
    $null = $script:Journal.Flush([timespan]::FromSeconds(60))
}

AfterAll {
    if ($script:Journal) { $script:Journal.Dispose() }
    Get-Module -Name QlikActivity | Remove-Module -Force -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $script:Folder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-QlikUserEvent' {
    It 'reads the events newest last while the writer holds the journal' {
        $events = @(Get-QlikUserEvent -JournalPath $script:JournalPath)
        $events.Count | Should -Be 4
        $events[0] | Should -BeOfType 'QlikActivity.Core.UserEvent'
        $events[-1].UserId | Should -Be 'bob'
        @(Get-QlikUserEvent $script:JournalPath -Last 1 -UserId 'AN*')[0].EventType | Should -Be 'SessionStop'
        @(Get-QlikUserEvent $script:JournalPath -AppId $script:Sales).Count | Should -Be 2
    }

    It 'resolves a relative path against the current location' {
        Push-Location -Path $script:Folder
        try {
            @(Get-QlikUserEvent -JournalPath 'events.journal' -EventType SessionStart).UserId | Should -Be @('anna', 'bob')
        }
        finally {
            Pop-Location
        }
    }

    It 'names a missing journal with ObjectNotFound' {
        $record = $null
        try { Get-QlikUserEvent -JournalPath (Join-Path -Path $script:Folder -ChildPath 'none.journal') -ErrorAction Stop } catch { $record = $_ }
        $record.FullyQualifiedErrorId | Should -BeLike 'JournalNotFound,*'
        $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}

Describe 'Get-QlikUserSession' {
    It 'pairs start and stop with the apps opened' {
        $sessions = @(Get-QlikUserSession -JournalPath $script:JournalPath)
        $sessions.Count | Should -Be 2
        $sessions[0].State | Should -Be 'Stopped'
        $sessions[0].Duration | Should -Be ([timespan]::FromMinutes(20))
        $sessions[0].Apps[0].AppId | Should -Be $script:Sales
    }

    It 'lists who is online with -Active and a timeout in minutes' {
        @(Get-QlikUserSession $script:JournalPath -Active).UserId | Should -Be @('bob')
        @(Get-QlikUserSession $script:JournalPath -Active -SessionTimeout 2).Count | Should -Be 0
    }
}

Describe 'Get-QlikAppActivity' {
    It 'gives the last opened time, users and the journal start' {
        $app = @(Get-QlikAppActivity -JournalPath $script:JournalPath)
        $app.Count | Should -Be 1
        $app[0].AppId | Should -Be $script:Sales
        $app[0].LastOpened | Should -Be $script:Now.AddMinutes(-80)
        $app[0].DistinctUsers | Should -Be 1
        $app[0].JournalStartsAt | Should -Be $script:Now.AddMinutes(-90)
    }

    It 'renders within 80 columns' {
        $lines = (Get-QlikAppActivity $script:JournalPath | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() }
        $lines[0] | Should -Match '^App\s+LastOpened\s+Users\s+Sessions'
        ($lines | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty
    }
}
