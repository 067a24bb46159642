import { useState } from 'react';
import { readSoundPreference, writeSoundPreference } from './waitingAlerts';
import { useWaitingAlerts } from './useWaitingAlerts';

type Permission = NotificationPermission | 'unsupported';

function currentPermission(): Permission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/**
 * The header's alert settings: a "Sound" toggle (remembered in this browser) and "Notify me", which
 * asks for notification permission only when clicked; browsers ignore or punish asking on load.
 */
export function AlertControls() {
  const [isSoundOn, setIsSoundOn] = useState(readSoundPreference);
  const [permission, setPermission] = useState<Permission>(currentPermission);
  useWaitingAlerts(isSoundOn);

  const toggleSound = (isOn: boolean) => {
    setIsSoundOn(isOn);
    writeSoundPreference(isOn);
  };

  const askPermission = async () => {
    if (typeof Notification === 'undefined') return;
    setPermission(await Notification.requestPermission());
  };

  return (
    <div className="agent-alerts">
      <label className="agent-alert-toggle">
        <input type="checkbox" checked={isSoundOn} onChange={(e) => toggleSound(e.target.checked)} />
        Sound
      </label>
      {permission === 'default' && (
        <button type="button" className="button-secondary" onClick={() => void askPermission()}>
          Notify me
        </button>
      )}
      {permission === 'denied' && <span className="agent-alert-note">Notifications blocked in this browser</span>}
    </div>
  );
}
