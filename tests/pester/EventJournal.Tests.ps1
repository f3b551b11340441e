#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# Start-QlikEventListener -JournalPath through the built module (out/QlikActivity), as a script would
# run it: real UDP, a journal file in a temp folder, a second listener refused.
# Windows PowerShell 5.1 syntax throughout.

BeforeAll {
    $script:RepositoryRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).Path
    $script:ModulePath = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'QlikActivity', 'QlikActivity.psd1')
    if (-not (Test-Path -LiteralPath $script:ModulePath)) {
        throw "The module is not built ($script:ModulePath): run dotnet build QlikActivity.sln -c Release."
    }

    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'TestQrsSimulator.psm1') -Force
    Import-Module -Name $script:ModulePath -Force -ErrorAction Stop
    $script:Folder = Join-Path -Path ([System.IO.Path]::GetTempPath()) -ChildPath ('qa-pester-journal-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $script:Folder
    $script:Journal = Join-Path -Path $script:Folder -ChildPath 'events.journal'
}

AfterAll {
    Get-Module -Name QlikActivity | Remove-Module -Force -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $script:Folder -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Start-QlikEventListener -JournalPath' {
    BeforeAll {
        $script:UdpPort = Get-TestFreeUdpPort
        $listener = Start-TestQlikEventListener -ModulePath $script:ModulePath -Parameters @{
            Address              = '127.0.0.1'
            Port                 = $script:UdpPort
            AllowedSource        = '127.0.0.1'
            Count                = 6
            Timeout              = 90
            NoEvents             = $true
            JournalPath          = $script:Journal
            JournalRetentionDays = 30
            JournalMaxSizeMB     = 100
        }

        # While it runs: a second listener on the same journal is refused.
        $deadline = (Get-Date).AddSeconds(60)
        while (-not (Test-Path -LiteralPath ($script:Journal + '.lock')) -and (Get-Date) -lt $deadline) {
            Start-Sleep -Milliseconds 100
        }

        $script:Refused = $null
        try {
            $null = Start-QlikEventListener -Address 127.0.0.1 -Port (Get-TestFreeUdpPort) -Timeout 5 -NoEvents -JournalPath $script:Journal -ErrorAction Stop
        }
        catch {
            $script:Refused = $_
        }

        for ($round = 0; $round -lt 60 -and -not $listener.Handle.IsCompleted; $round++) {
            $null = Send-QlikUserEvent -Server 127.0.0.1 -Port $script:UdpPort -EventType SessionStart -UserDirectory 'PESTER' -UserId "journal_$round" -HostName 'sense-pester'
            Start-Sleep -Milliseconds 200
        }

        $script:Statistics = @(Receive-TestQlikEventListener -Listener $listener -TimeoutSec 120) | Select-Object -Last 1
    }

    It 'journals every event it emits' {
        $script:Statistics.Emitted | Should -Be 6
        $script:Statistics.Journaled | Should -Be 6
        $script:Statistics.NotJournaled | Should -Be 0
        $script:Statistics.JournalPath | Should -Be $script:Journal
        Test-Path -LiteralPath $script:Journal | Should -BeTrue
    }

    It 'refuses a second listener on the same journal with JournalInUse' {
        $script:Refused | Should -Not -BeNullOrEmpty
        $script:Refused.FullyQualifiedErrorId | Should -BeLike 'JournalInUse,*'
        [string]$script:Refused.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $script:Refused.Exception.Message | Should -Match 'Only one listener can write a journal'
    }

    It 'opens the journal again once the first listener has stopped' {
        $stats = Start-QlikEventListener -Address 127.0.0.1 -Port (Get-TestFreeUdpPort) -AllowedSource 127.0.0.1 -Timeout 1 -NoEvents -JournalPath $script:Journal -WarningAction SilentlyContinue
        $stats.Journaled | Should -Be 0
        $stats.NotJournaled | Should -Be 0
    }

    It 'documents the journal parameters with examples' {
        $help = Get-Help Start-QlikEventListener -Full
        ($help.parameters.parameter | Where-Object name -eq 'JournalPath').description | Out-String | Should -Match 'journal'
        ($help.examples.example | Out-String) | Should -Match '-JournalPath'
    }
}
