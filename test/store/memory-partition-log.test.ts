import { MemoryPartitionLog } from '../../src/store/memory/memory-partition-log.ts';
import { partitionLogContract } from './contract/partition-log-contract.ts';

// In memory there is no second connection to reopen through: the read-back test reads the same log.
partitionLogContract('in memory', { open: async () => new MemoryPartitionLog() });
