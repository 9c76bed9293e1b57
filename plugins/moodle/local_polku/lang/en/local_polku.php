<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

/**
 * English strings of local_polku.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['apikey'] = 'API key';
$string['apikey_desc'] = 'A Polku API key made with "polku keys create" (scopes events:write, catalogue:write, privacy:delete, privacy:export; for the block also recommendations:read, feedback:write, insights:read). Sent as a bearer token.';
$string['batchsize'] = 'Batch size';
$string['batchsize_desc'] = 'Events sent to Polku in one request (1-1000).';
$string['cli:backfilldone'] = 'Read {$a->read} log rows; queued {$a->queued} events. The "Send learning events to Polku" task sends them.';
$string['cli:backfillhelp'] = 'Queues existing standard log rows for Polku.

Options:
--since=DATE   first day to read (required), e.g. 2024-01-01
--until=DATE   last moment to read (default: now)
-h, --help     this help

Example:
sudo -u www-data php local/polku/cli/backfill.php --since=2024-01-01';
$string['cli:badrange'] = 'The dates are not valid or --until is before --since.';
$string['enabled'] = 'Send events to Polku';
$string['enabled_desc'] = 'When on, supported events are queued and sent to Polku by a scheduled task.';
$string['endpoint'] = 'Polku URL';
$string['endpoint_desc'] = 'Base URL of Polku\'s HTTP/JSON interface, e.g. https://polku.example.edu. Moodle\'s HTTP security settings must allow its host and port.';
$string['error:polku'] = 'Polku: {$a}';
$string['eventname'] = 'Event';
$string['events'] = 'Events to send';
$string['events_desc'] = 'The Moodle events Polku maps. An abstract event (course module viewed, comment created) stands for every activity module\'s version of it.';
$string['goalsfield'] = 'Goal ids course field';
$string['goalsfield_desc'] = 'Short name of the course custom field that lists the organisation goal ids a course serves, separated by commas.';
$string['lastcataloguesync'] = 'Last catalogue sync';
$string['lasterror'] = 'Last error';
$string['lastsuccess'] = 'Last successful send';
$string['never'] = 'Never';
$string['orgunitfield'] = 'Org unit profile field';
$string['orgunitfield_desc'] = 'Where a learner\'s org unit is read from: department, institution, or profile_field_<shortname> for a custom profile field. Empty: not sent.';
$string['pluginname'] = 'Polku';
$string['privacy:metadata:outbox'] = 'Learning events waiting to be sent to Polku, and events Polku refused.';
$string['privacy:metadata:outbox:enrichment'] = 'Facts added to the event: enrolment method, the course\'s required flag and goal ids, the user\'s org unit.';
$string['privacy:metadata:outbox:eventname'] = 'The kind of event.';
$string['privacy:metadata:outbox:lasterror'] = 'Polku\'s last error for the event.';
$string['privacy:metadata:outbox:payload'] = 'The event data as Moodle recorded it.';
$string['privacy:metadata:outbox:timecreated'] = 'When the event was queued.';
$string['privacy:metadata:outbox:userid'] = 'The user the event is about.';
$string['privacy:metadata:polku'] = 'Polku, the learning-path service this site is connected to, stores learning events to build learner profiles and recommendations. It receives no names, e-mail addresses, usernames or IP addresses.';
$string['privacy:metadata:polku:courseid'] = 'The course of the event.';
$string['privacy:metadata:polku:courserequired'] = 'Whether the course is required training.';
$string['privacy:metadata:polku:enrolmentmethod'] = 'How the user was enrolled in the course.';
$string['privacy:metadata:polku:eventdata'] = 'The event\'s data (its object, context and outcome, such as a completion or grade).';
$string['privacy:metadata:polku:eventname'] = 'The kind of event.';
$string['privacy:metadata:polku:feedback'] = 'Whether the user accepted or dismissed a recommendation.';
$string['privacy:metadata:polku:goalids'] = 'The organisation goals the course is linked to.';
$string['privacy:metadata:polku:grade'] = 'A grade or score in the event.';
$string['privacy:metadata:polku:learnerkey'] = 'A key made of this site\'s address and the user\'s id number.';
$string['privacy:metadata:polku:optout'] = 'Whether the user opted out of profiling.';
$string['privacy:metadata:polku:orgunit'] = 'The user\'s organisation unit.';
$string['privacy:metadata:polku:timecreated'] = 'When the event happened.';
$string['queued'] = 'Events in the queue';
$string['replay'] = 'Send again';
$string['replayall'] = 'Send all set-aside events again';
$string['replayed'] = '{$a} events queued again.';
$string['requiredfield'] = 'Required course field';
$string['requiredfield_desc'] = 'Short name of the course custom field (checkbox) that marks required or compliance training.';
$string['setaside'] = 'Events set aside (refused by Polku)';
$string['settings'] = 'Polku settings';
$string['status'] = 'Polku status';
$string['synccatalogue'] = 'Sync the course catalogue';
$string['synccatalogue_desc'] = 'Send courses (title, link, visibility, required flag, goal ids) to Polku every six hours; hidden and deleted courses are sent as hidden.';
$string['task:sendevents'] = 'Send learning events to Polku';
$string['task:synccatalogue'] = 'Sync the course catalogue to Polku';
$string['timeoutms'] = 'Request timeout (ms)';
$string['timeoutms_desc'] = 'Longest time one request to Polku may take, in milliseconds. The default (1800) keeps every call under 2 seconds when Polku is down.';
$string['uidisplay'] = 'Learner widget in the block';
$string['uidisplay:embed'] = 'Embed the widget in the block';
$string['uidisplay:link'] = 'Link that opens the widget in a new window';
$string['uidisplay:off'] = 'Do not show';
$string['uidisplay_desc'] = 'How the Next steps block offers Polku\'s learner widget: a link that opens it in a new window, or the widget itself inside the block (it then replaces the block\'s own list). Shown only when the widget address, tenant and secret are set.';
$string['uilifetime'] = 'Widget link lifetime (seconds)';
$string['uilifetime_desc'] = 'How long a widget link stays valid after Moodle makes it, 30-600 seconds. A link is made each time a learner opens the widget and works once.';
$string['uisecret'] = 'Widget secret';
$string['uisecret_desc'] = 'The tenant\'s widget secret, exactly as "polku ui secret --tenant=T" printed it. Moodle signs widget links with it; it is never sent to the browser.';
$string['uitenant'] = 'Polku tenant';
$string['uitenant_desc'] = 'The Polku tenant of this site: the tenant of the API key above (lowercase letters, digits, - and _).';
$string['uiurl'] = 'Widget address (Polku\'s public URL)';
$string['uiurl_desc'] = 'Polku\'s HTTP address as learners\' browsers reach it, e.g. https://polku.example.edu. It may differ from the Polku URL above when Moodle reaches Polku on an internal address. Empty: no widget.';
$string['widgetheading'] = 'Learner widget';
$string['widgetheading_desc'] = 'Polku\'s learner widget shows a learner their recommendations with reasons, progress on their paths, their learning profile and the profiling opt-out. Create the secret with "polku ui secret --tenant=T" and allow this site to frame the widget with "polku ui frame-ancestors --tenant=T --origins=https://moodle.example.edu" (this site\'s address).';
