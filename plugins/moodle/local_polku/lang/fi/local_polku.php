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
 * Finnish strings of local_polku.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */

defined('MOODLE_INTERNAL') || die();

$string['apikey'] = 'API-avain';
$string['apikey_desc'] = 'Komennolla "polku keys create" luotu Polkun API-avain (oikeudet events:write, catalogue:write, privacy:delete ja privacy:export; lohkolle myös recommendations:read, feedback:write ja insights:read). Lähetetään bearer-tunnisteena.';
$string['batchsize'] = 'Erän koko';
$string['batchsize_desc'] = 'Polkuun yhdellä pyynnöllä lähetettävien tapahtumien määrä (1–1000).';
$string['cli:backfilldone'] = 'Luettiin {$a->read} lokiriviä; jonoon lisättiin {$a->queued} tapahtumaa. Tehtävä "Lähetä oppimistapahtumat Polkuun" lähettää ne.';
$string['cli:backfillhelp'] = 'Lisää olemassa olevat vakiolokin rivit Polkun lähetysjonoon.

Valinnat:
--since=PVM    ensimmäinen luettava päivä (pakollinen), esim. 2024-01-01
--until=PVM    viimeinen luettava hetki (oletus: nyt)
-h, --help     tämä ohje

Esimerkki:
sudo -u www-data php local/polku/cli/backfill.php --since=2024-01-01';
$string['cli:badrange'] = 'Päivämäärät eivät kelpaa, tai --until on ennen --since-arvoa.';
$string['enabled'] = 'Lähetä tapahtumat Polkuun';
$string['enabled_desc'] = 'Kun asetus on päällä, tuetut tapahtumat lisätään jonoon ja ajastettu tehtävä lähettää ne Polkuun.';
$string['endpoint'] = 'Polkun osoite';
$string['endpoint_desc'] = 'Polkun HTTP/JSON-rajapinnan perusosoite, esim. https://polku.example.edu. Moodlen HTTP-turvallisuusasetusten on sallittava sen palvelin ja portti.';
$string['error:polku'] = 'Polku: {$a}';
$string['eventname'] = 'Tapahtuma';
$string['events'] = 'Lähetettävät tapahtumat';
$string['events_desc'] = 'Polkun tuntemat Moodlen tapahtumat. Yleinen tapahtuma (aktiviteetin katselu, kommentin luonti) kattaa jokaisen aktiviteettimoduulin oman version.';
$string['goalsfield'] = 'Tavoitetunnisteiden kurssikenttä';
$string['goalsfield_desc'] = 'Sen kurssin lisäkentän lyhytnimi, johon kirjataan pilkuin eroteltuina ne organisaation tavoitteet, joita kurssi palvelee.';
$string['lastcataloguesync'] = 'Viimeisin kurssiluettelon synkronointi';
$string['lasterror'] = 'Viimeisin virhe';
$string['lastsuccess'] = 'Viimeisin onnistunut lähetys';
$string['never'] = 'Ei koskaan';
$string['orgunitfield'] = 'Organisaatioyksikön profiilikenttä';
$string['orgunitfield_desc'] = 'Mistä oppijan organisaatioyksikkö luetaan: department, institution tai lisäprofiilikentälle profile_field_<lyhytnimi>. Tyhjä: ei lähetetä.';
$string['pluginname'] = 'Polku';
$string['privacy:metadata:outbox'] = 'Polkuun lähetystä odottavat oppimistapahtumat sekä tapahtumat, joita Polku ei hyväksynyt.';
$string['privacy:metadata:outbox:enrichment'] = 'Tapahtumaan lisätyt tiedot: kirjautumistapa, kurssin pakollisuus ja tavoitetunnisteet sekä käyttäjän organisaatioyksikkö.';
$string['privacy:metadata:outbox:eventname'] = 'Tapahtuman laji.';
$string['privacy:metadata:outbox:lasterror'] = 'Polkun viimeisin virheilmoitus tapahtumasta.';
$string['privacy:metadata:outbox:payload'] = 'Tapahtuman tiedot sellaisina kuin Moodle ne kirjasi.';
$string['privacy:metadata:outbox:timecreated'] = 'Milloin tapahtuma lisättiin jonoon.';
$string['privacy:metadata:outbox:userid'] = 'Käyttäjä, jota tapahtuma koskee.';
$string['privacy:metadata:polku'] = 'Polku, oppimispolkupalvelu, johon tämä sivusto on liitetty, tallentaa oppimistapahtumia oppijaprofiileja ja suosituksia varten. Se ei saa nimiä, sähköpostiosoitteita, käyttäjätunnuksia eikä IP-osoitteita.';
$string['privacy:metadata:polku:courseid'] = 'Tapahtuman kurssi.';
$string['privacy:metadata:polku:courserequired'] = 'Onko kurssi pakollinen koulutus.';
$string['privacy:metadata:polku:enrolmentmethod'] = 'Miten käyttäjä kirjattiin kurssille.';
$string['privacy:metadata:polku:eventdata'] = 'Tapahtuman tiedot (kohde, konteksti ja tulos, kuten suoritus tai arvosana).';
$string['privacy:metadata:polku:eventname'] = 'Tapahtuman laji.';
$string['privacy:metadata:polku:feedback'] = 'Hyväksyikö vai hylkäsikö käyttäjä suosituksen.';
$string['privacy:metadata:polku:goalids'] = 'Organisaation tavoitteet, joihin kurssi liittyy.';
$string['privacy:metadata:polku:grade'] = 'Tapahtuman arvosana tai pisteet.';
$string['privacy:metadata:polku:learnerkey'] = 'Tunniste, joka muodostuu tämän sivuston osoitteesta ja käyttäjän id-numerosta.';
$string['privacy:metadata:polku:optout'] = 'Onko käyttäjä kieltäytynyt profiloinnista.';
$string['privacy:metadata:polku:orgunit'] = 'Käyttäjän organisaatioyksikkö.';
$string['privacy:metadata:polku:timecreated'] = 'Milloin tapahtuma tapahtui.';
$string['queued'] = 'Jonossa olevat tapahtumat';
$string['replay'] = 'Lähetä uudelleen';
$string['replayall'] = 'Lähetä kaikki sivuun siirretyt tapahtumat uudelleen';
$string['replayed'] = '{$a} tapahtumaa lisättiin jonoon uudelleen.';
$string['requiredfield'] = 'Pakollisuuden kurssikenttä';
$string['requiredfield_desc'] = 'Sen kurssin lisäkentän (valintaruutu) lyhytnimi, joka merkitsee pakollisen koulutuksen.';
$string['setaside'] = 'Sivuun siirretyt tapahtumat (Polku ei hyväksynyt)';
$string['settings'] = 'Polkun asetukset';
$string['status'] = 'Polkun tila';
$string['synccatalogue'] = 'Synkronoi kurssiluettelo';
$string['synccatalogue_desc'] = 'Lähetä kurssit (nimi, linkki, näkyvyys, pakollisuus, tavoitetunnisteet) Polkuun kuuden tunnin välein; piilotetut ja poistetut kurssit lähetetään piilotettuina.';
$string['task:sendevents'] = 'Lähetä oppimistapahtumat Polkuun';
$string['task:synccatalogue'] = 'Synkronoi kurssiluettelo Polkuun';
$string['timeoutms'] = 'Pyynnön aikaraja (ms)';
$string['timeoutms_desc'] = 'Pisin aika, jonka yksi Polkuun tehty pyyntö saa kestää, millisekunteina. Oletus (1800) pitää jokaisen kutsun alle 2 sekunnissa, kun Polku ei vastaa.';
$string['uidisplay'] = 'Oppijan näkymä lohkossa';
$string['uidisplay:embed'] = 'Upota näkymä lohkoon';
$string['uidisplay:link'] = 'Linkki, joka avaa näkymän uuteen ikkunaan';
$string['uidisplay:off'] = 'Älä näytä';
$string['uidisplay_desc'] = 'Miten Seuraavat askeleet -lohko tarjoaa Polkun oppijan näkymän: linkkinä, joka avaa sen uuteen ikkunaan, tai itse näkymänä lohkon sisällä (se korvaa silloin lohkon oman luettelon). Näytetään vain, kun näkymän osoite, tenantti ja salaisuus on asetettu.';
$string['uilifetime'] = 'Näkymän linkin voimassaolo (sekuntia)';
$string['uilifetime_desc'] = 'Kuinka kauan Moodlen tekemä linkki oppijan näkymään on voimassa, 30–600 sekuntia. Linkki tehdään aina, kun oppija avaa näkymän, ja se toimii kerran.';
$string['uisecret'] = 'Näkymän salaisuus';
$string['uisecret_desc'] = 'Tenantin näkymäsalaisuus täsmälleen sellaisena kuin "polku ui secret --tenant=T" sen tulosti. Moodle allekirjoittaa näkymän linkit sillä; sitä ei koskaan lähetetä selaimelle.';
$string['uitenant'] = 'Polkun tenantti';
$string['uitenant_desc'] = 'Tämän sivuston tenantti Polkussa: yllä olevan API-avaimen tenantti (pieniä kirjaimia, numeroita, - ja _).';
$string['uiurl'] = 'Näkymän osoite (Polkun julkinen URL)';
$string['uiurl_desc'] = 'Polkun HTTP-osoite sellaisena kuin oppijoiden selaimet sen tavoittavat, esim. https://polku.example.edu. Se voi poiketa yllä olevasta Polkun osoitteesta, kun Moodle käyttää Polkua sisäverkon osoitteessa. Tyhjä: ei näkymää.';
$string['widgetheading'] = 'Oppijan näkymä';
$string['widgetheading_desc'] = 'Polkun oppijan näkymä näyttää oppijalle hänen suosituksensa perusteluineen, etenemisen poluilla, oppimisprofiilin ja profiloinnin kieltämisen. Luo salaisuus komennolla "polku ui secret --tenant=T" ja salli tämän sivuston upottaa näkymä komennolla "polku ui frame-ancestors --tenant=T --origins=https://moodle.example.edu" (tämän sivuston osoite).';
