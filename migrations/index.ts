import { Initial1795317170343 } from './1795317170343-Initial.js';
import { Auth1795319500605 } from './1795319500605-Auth.js';
import { JobLedger1795320598910 } from './1795320598910-JobLedger.js';
import { JobSearchIndex1795321792772 } from './1795321792772-JobSearchIndex.js';
import { LibraryCatalog1795325940772 } from './1795325940772-LibraryCatalog.js';
import { LibrarySearch1795325940800 } from './1795325940800-LibrarySearch.js';
import { UsersData1795832603340 } from './1795832603340-UsersData.js';
import { HlsTranscodes1795832876011 } from './1795832876011-HlsTranscodes.js';
import { Plugins1795842570857 } from './1795842570857-Plugins.js';
import { UnreadableFiles1795861405570 } from './1795861405570-UnreadableFiles.js';
import { VideoPicture1795870682761 } from './1795870682761-VideoPicture.js';

/** Every migration, in order. `npm run migration:generate` appends new ones here. */
export const MIGRATIONS: Function[] = [
  Initial1795317170343,
  Auth1795319500605,
  JobLedger1795320598910,
  JobSearchIndex1795321792772,
  LibraryCatalog1795325940772,
  LibrarySearch1795325940800,
  UsersData1795832603340,
  HlsTranscodes1795832876011,
  Plugins1795842570857,
  UnreadableFiles1795861405570,
  VideoPicture1795870682761,
];
