#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0.0' }
# New-QlikMqttDestination through the built module (out/QlikActivity). Needs no broker: delivery to
# a real mosquitto is covered by tests/QlikActivity.Core.Tests/Destinations/Mqtt.
# Windows PowerShell 5.1 syntax throughout.

BeforeAll {
    $script:RepositoryRoot = (Resolve-Path -LiteralPath (Join-Path -Path $PSScriptRoot -ChildPath '../..')).Path
    $script:ModulePath = [System.IO.Path]::Combine($script:RepositoryRoot, 'out', 'QlikActivity', 'QlikActivity.psd1')
    if (-not (Test-Path -LiteralPath $script:ModulePath)) {
        throw "The module is not built ($script:ModulePath): run dotnet build QlikActivity.sln -c Release."
    }

    Import-Module -Name $script:ModulePath -Force -ErrorAction Stop
    $script:Password = 'Pester-Secret-7f3a'
    $script:Credential = New-Object -TypeName System.Management.Automation.PSCredential -ArgumentList @(
        'sense-events', (ConvertTo-SecureString -String $script:Password -AsPlainText -Force))
}

AfterAll {
    Get-Module -Name QlikActivity | Remove-Module -Force -ErrorAction SilentlyContinue
}

Describe 'New-QlikMqttDestination' {
    It 'makes a destination with the Butler SOS topics by default' {
        $d = New-QlikMqttDestination -Broker mqtt.lab.local
        $d.GetType().FullName | Should -Be 'QlikActivity.Core.Destinations.Mqtt.MqttDestination'
        $d.Name | Should -Be 'mqtt://mqtt.lab.local:1883'
        $d.QoS | Should -Be 1
        $d.Topic | Should -Be 'qliksense/userevent'
        $d.SessionStartTopic | Should -Be 'qliksense/userevent/session/start'
        $d.ConnectionCloseTopic | Should -Be 'qliksense/userevent/connection/close'
        $d.ClientId | Should -Match '^QlikActivity-.+-[0-9a-f]{6}$'
    }

    It 'uses port 8883 with TLS and takes -Server as an alias' {
        (New-QlikMqttDestination -Server mqtt.lab.local -UseTls).Name | Should -Be 'mqtts://mqtt.lab.local:8883'
    }

    It 'turns a topic off with an empty string' {
        $d = New-QlikMqttDestination -Broker b -Topic '' -SessionStopTopic 'x/stop'
        $d.Topic | Should -Be ''
        $d.SessionStopTopic | Should -Be 'x/stop'
        $d.SessionStartTopic | Should -Be 'qliksense/userevent/session/start'
    }

    It 'never shows the password' {
        $d = New-QlikMqttDestination -Broker b -Credential $script:Credential
        $d.UserName | Should -Be 'sense-events'
        ($d | Format-List -Property * | Out-String) | Should -Not -Match $script:Password
        ($d | ConvertTo-Json -Depth 3) | Should -Not -Match $script:Password
        "$d" | Should -Not -Match $script:Password
    }

    It 'refuses a wildcard topic and an invalid QoS' {
        { New-QlikMqttDestination -Broker b -Topic 'qliksense/#' -ErrorAction Stop } | Should -Throw -ErrorId 'MqttTopicInvalid,QlikActivity.Commands.NewQlikMqttDestinationCommand'
        { New-QlikMqttDestination -Broker b -QoS 2 -ErrorAction Stop } | Should -Throw
    }

    It 'warns when the certificate check is skipped' {
        $null = New-QlikMqttDestination -Broker b -UseTls -SkipCertificateCheck -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings | Should -Not -BeNullOrEmpty
    }

    It 'reports an unreachable broker at once with -Test' {
        $listener = New-Object -TypeName System.Net.Sockets.TcpListener -ArgumentList @([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $port = $listener.LocalEndpoint.Port
        $listener.Stop()
        { New-QlikMqttDestination -Broker 127.0.0.1 -Port $port -Test -ErrorAction Stop } | Should -Throw -ErrorId 'MqttBrokerUnreachable,QlikActivity.Commands.NewQlikMqttDestinationCommand'
    }
}
